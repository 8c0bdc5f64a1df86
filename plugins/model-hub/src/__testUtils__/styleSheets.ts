/**
 * Records the names (JSS `data-meta`) of the style sheets inserted into the
 * document head until `stop()` is called. Backstage's `Page` gives MUI a new
 * theme whenever it renders again, and every `makeStyles` below it then
 * inserts its sheet anew: a page whose state lives above `Page` shows it as
 * `BackstageHeader` or `BackstageContent` sheets inserted by a click.
 */
export function recordInsertedSheets(): { names: string[]; stop(): void } {
  const names: string[] = [];
  const observer = new MutationObserver(mutations =>
    mutations.forEach(m =>
      m.addedNodes.forEach(n => {
        if (n instanceof HTMLStyleElement) {
          names.push(n.getAttribute('data-meta') ?? '');
        }
      }),
    ),
  );
  observer.observe(document.head, { childList: true });
  return { names, stop: () => observer.disconnect() };
}

/** The sheets of Backstage's page frame, built again when `Page` renders again. */
export const PAGE_FRAME_SHEETS = ['BackstageHeader', 'BackstageContent'];
