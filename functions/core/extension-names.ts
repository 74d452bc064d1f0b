/** The auto-tagging extensions aitags runs, in the order their tags are grouped in `AITags`. */
export const EXTENSION_NAMES = ['aws-auto-tagging', 'google-auto-tagging'] as const;
export type ExtensionName = (typeof EXTENSION_NAMES)[number];
