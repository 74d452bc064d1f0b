/** The auto-tagging extensions aitags runs, in the order their tags are grouped in `AITags`. */
export const EXTENSION_NAMES = ['aws-auto-tagging', 'google-auto-tagging'] as const;
export type ExtensionName = (typeof EXTENSION_NAMES)[number];

/** The `name` of an `extensions` entry that stands for a saved extension's config. */
export const SAVED_EXTENSION = 'saved-extension' as const;
