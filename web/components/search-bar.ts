import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { SORTS } from '../sorts.js';

export interface SearchBarProps {
  searchQuery: string;
  sort: string;
  onSearch: (searchQuery: string) => void;
  onSort: (sort: string) => void;
}

/** The searchQuery box (ImageKit's language, run on Enter) and the sort. */
export function SearchBar({ searchQuery, sort, onSearch, onSort }: SearchBarProps) {
  const [text, setText] = useState(searchQuery);
  // A tag chip sets the query from outside: the box shows what runs.
  useEffect(() => setText(searchQuery), [searchQuery]);
  const submit = (event: Event) => {
    event.preventDefault();
    onSearch(text.trim());
  };
  return html`<form class="search-bar" role="search" onSubmit=${submit}>
    <div class="field field-grow">
      <label class="field-label" for="search-query">Search query</label>
      <input
        id="search-query"
        class="input input-code"
        type="search"
        placeholder='tags IN ["cat", "dog"] AND createdAt > "7d"'
        aria-describedby="search-hint"
        spellcheck=${false}
        value=${text}
        onInput=${(event: Event) => setText((event.currentTarget as HTMLInputElement).value)}
      />
      <p id="search-hint" class="hint">ImageKit's search language; press Enter to search. An empty query lists every file.</p>
    </div>
    <div class="search-actions">
      <button type="submit" class="button button-primary">Search</button>
      ${searchQuery && html`<button type="button" class="button" onClick=${() => onSearch('')}>Clear</button>`}
    </div>
    <div class="field">
      <label class="field-label" for="sort">Sort</label>
      <select id="sort" class="input" value=${sort} onChange=${(event: Event) => onSort((event.currentTarget as HTMLSelectElement).value)}>
        ${SORTS.map((option) => html`<option key=${option.value} value=${option.value}>${option.label}</option>`)}
      </select>
    </div>
  </form>`;
}
