// The element's shadow styles. Sizes come from custom properties the page
// sets on the element; the frame and the status line are parts
// (::part(frame), ::part(status)). Adopted as a constructed stylesheet, which
// a page's Content-Security-Policy does not block (an inline <style> would
// need style-src 'unsafe-inline').
export const ELEMENT_CSS = `
:host { display: block; width: var(--lantern-width, 100%); }
:host([hidden]) { display: none; }
iframe {
  display: block; box-sizing: border-box; width: 100%; height: var(--lantern-height, 480px);
  border: var(--lantern-border, none); border-radius: var(--lantern-radius, 8px);
}
[part='status'] { font: 0.875rem/1.5 system-ui, sans-serif; min-height: 1.5em; margin-top: 0.25rem; }
:host([status='off']) [part='status'] { display: none; }
`;

/** The stylesheet for a shadow root: constructed where the browser can, else a <style> element. */
export function applyStyles(root: ShadowRoot): void {
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet.prototype.replaceSync === 'function') {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(ELEMENT_CSS);
    root.adoptedStyleSheets = [sheet];
    return;
  }
  const style = document.createElement('style');
  style.textContent = ELEMENT_CSS;
  root.append(style);
}
