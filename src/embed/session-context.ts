// The embed's session for its components (EmbedApp).
import { createContext, useContext } from 'solid-js';
import type { EmbedSession } from './session';

export { createEmbedSession } from './session';

export const EmbedContext = createContext<EmbedSession>();

export function useEmbed(): EmbedSession {
  const session = useContext(EmbedContext);
  if (session === undefined) throw new Error('useEmbed() must be called inside <EmbedContext.Provider>.');
  return session;
}
