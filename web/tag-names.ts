/** Tag names compare as the API compares them: ignoring case. */
const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export const hasTagName = (names: readonly string[], name: string) => names.some((each) => same(each, name));

/** The list with the name added at the end, unless it already holds it in any case. */
export const withTagName = (names: readonly string[], name: string): string[] => (hasTagName(names, name) ? [...names] : [...names, name]);

/** The list without the name, in any case. */
export const withoutTagName = (names: readonly string[], name: string): string[] => names.filter((each) => !same(each, name));
