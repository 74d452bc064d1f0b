const KEY_ITEM = 'aitags.privateKey';

/** The private key lives in this tab's sessionStorage only: gone when the tab closes, never in a URL or a cookie. */
export const keyStore = {
  read: (): string | undefined => sessionStorage.getItem(KEY_ITEM) ?? undefined,
  write: (key: string) => sessionStorage.setItem(KEY_ITEM, key),
  clear: () => sessionStorage.removeItem(KEY_ITEM),
};
