// Calling a caller's callback (a progress or preview callback, maybe a
// comlink proxy to another thread) so that its failure never stops the work
// that reports to it: a throw or a rejection is logged, not raised.

export type Notify = <T>(callback: ((value: T) => unknown) | undefined, value: T) => void;

/** A `notify(callback, value)` whose warnings name `what` ("a model store progress" callback failed). */
export function callbackNotifier(what: string): Notify {
  return (callback, value) => {
    if (typeof callback !== 'function') return;
    const warn = (error: unknown) => console.warn(`Lantern: ${what} callback failed:`, error);
    try {
      void Promise.resolve(callback(value)).catch(warn);
    } catch (error) {
      warn(error);
    }
  };
}
