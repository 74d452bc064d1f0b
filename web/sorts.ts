/** The list's sorts (GET /v1/files `sort`), as a person reads them; the first is the page's default. */
export const SORTS = [
  { value: 'DESC_CREATED', label: 'Newest first' },
  { value: 'ASC_CREATED', label: 'Oldest first' },
  { value: 'DESC_UPDATED', label: 'Recently updated' },
  { value: 'ASC_UPDATED', label: 'Least recently updated' },
  { value: 'ASC_NAME', label: 'Name, A to Z' },
  { value: 'DESC_NAME', label: 'Name, Z to A' },
  { value: 'DESC_SIZE', label: 'Largest first' },
  { value: 'ASC_SIZE', label: 'Smallest first' },
  { value: 'DESC_WIDTH', label: 'Widest first' },
  { value: 'ASC_WIDTH', label: 'Narrowest first' },
  { value: 'DESC_HEIGHT', label: 'Tallest first' },
  { value: 'ASC_HEIGHT', label: 'Shortest first' },
] as const;

export const DEFAULT_SORT = SORTS[0].value;
