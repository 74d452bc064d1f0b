/** A string in the searchQuery language: double quotes, with `"` and `\` escaped (docs/search-query.md). */
export const quoted = (value: string) => `"${value.replace(/[\\"]/g, (character) => `\\${character}`)}"`;

/** The query a click on a tag chip runs: user tags by `tags`, AI tags by `AITags` (any source). */
export const tagSearch = (name: string, kind: 'user' | 'ai') => `${kind === 'ai' ? 'AITags' : 'tags'} = ${quoted(name)}`;

/** Tags typed as a comma-separated list: trimmed, empty ones and repeats dropped. */
export const parseTagList = (text: string): string[] => [...new Set(text.split(',').map((tag) => tag.trim()))].filter(Boolean);
