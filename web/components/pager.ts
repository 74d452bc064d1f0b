import { html } from 'htm/preact';

export interface PagerProps {
  page: number;
  pageSize: number;
  shown: number;
  hasNext: boolean;
  onPage: (page: number) => void;
}

/** Previous / Next over pages of `pageSize` files (limit and skip). */
export function Pager({ page, pageSize, shown, hasNext, onPage }: PagerProps) {
  const first = page * pageSize + 1;
  return html`<nav class="pager" aria-label="Pages">
    <button type="button" class="button" disabled=${page === 0} onClick=${() => onPage(page - 1)}>Previous</button>
    <p class="pager-position">Page ${page + 1}${shown > 0 && html`<span class="muted"> · files ${first}–${first + shown - 1}</span>`}</p>
    <button type="button" class="button" disabled=${!hasNext} onClick=${() => onPage(page + 1)}>Next</button>
  </nav>`;
}
