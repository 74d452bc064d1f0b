import packageJson from '../../package.json' with { type: 'json' };

/** The aitags version running (package.json's, bundled at build time). */
export const VERSION: string = packageJson.version;
