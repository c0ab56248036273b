// Who framed embed.html, and whether the deployer allows it. The browser's
// own guard is the frame-ancestors policy (embed.config.ts), which only a
// header can carry; this check holds on hosts that send none: a page not
// allowed gets a notice instead of a generator, and no model loads.

/** The origin of the page that frames this one; null when this page is not in a frame. */
export function framingOrigin(win: Pick<Window, 'self' | 'top' | 'location' | 'document'>): string | null {
  if (win.self === win.top) return null;
  const ancestors = win.location.ancestorOrigins;
  if (ancestors !== undefined && ancestors.length > 0) return ancestors[0] ?? null;
  // Firefox has no ancestorOrigins: the referrer is the framing page's address unless its referrer policy hides it.
  try {
    return win.document.referrer === '' ? 'null' : new URL(win.document.referrer).origin;
  } catch {
    return 'null';
  }
}

/** Why this frame may not run (for the notice), or null when it may: not framed, framed by its own origin or an allowed one. */
export function framingProblem(parent: string | null, own: string, allowed: readonly string[]): string | null {
  if (parent === null || parent === own || allowed.includes(parent)) return null;
  const shown = parent === 'null' ? 'a page whose address is hidden' : parent;
  return (
    `This generator is embedded by ${shown}, which this Lantern deployment does not allow. ` +
    'Whoever runs this Lantern site can add the origin to "embed.allowedOrigins" in lantern.config.json.'
  );
}

/** Whether a message may drive the embed: from the window that frames it, at its own origin or an allowed one. */
export function acceptsMessageFrom(origin: string, own: string, allowed: readonly string[]): boolean {
  return origin === own || allowed.includes(origin);
}
