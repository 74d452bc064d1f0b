import { quoted } from './search-terms.js';

/**
 * How the page read its search box: nothing (every file), plain words (each a tag, all of them needed) or a
 * query in the searchQuery language, sent as typed.
 */
export type SearchReading = { kind: 'all'; query: '' } | { kind: 'words'; words: string[]; query: string } | { kind: 'query'; query: string };

interface Token {
  text: string;
  /** Written as a "double-quoted phrase": its symbols are text, never operators. */
  phrase: boolean;
}

/** Characters that only a query has: its operators, groups and lists. */
const OPERATOR_CHARACTERS = /[=:<>()[\]]/;
/** The language's keywords as its documentation writes them; in lower case they are read as words ("cat and dog"). */
const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'HAS', 'EXISTS']);

/**
 * Splits on whitespace and commas. A token that opens with `"` runs to the next unescaped `"` (or the end),
 * with `\"` and `\\` read as in the language, so `"red dress"` is one tag; a `"` inside a word is text.
 */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let current = '';
  const end = () => {
    if (current) tokens.push({ text: current, phrase: false });
    current = '';
  };
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index] ?? '';
    if (/[\s,]/.test(character)) {
      end();
    } else if (character === '"' && current === '') {
      let phrase = '';
      for (index += 1; index < text.length && text[index] !== '"'; index += 1) {
        const next = text[index + 1];
        if (text[index] === '\\' && (next === '"' || next === '\\')) index += 1;
        phrase += text[index];
      }
      if (phrase.trim()) tokens.push({ text: phrase.trim(), phrase: true });
    } else {
      current += character;
    }
  }
  end();
  return tokens;
}

/**
 * Reads the search box: a query when, outside "phrases", it has an operator symbol (`= : < > ( ) [ ]`) or a
 * keyword in capitals (AND OR NOT IN HAS EXISTS): every query term has one of them. Anything else is
 * words, each sent as `tags = "<word>"` (user and AI tags, any case) and ANDed.
 */
export function readSearchBox(text: string): SearchReading {
  const tokens = tokenize(text);
  if (tokens.some((token) => !token.phrase && (OPERATOR_CHARACTERS.test(token.text) || KEYWORDS.has(token.text)))) {
    return { kind: 'query', query: text.trim() };
  }
  // Tags match ignoring case: `Cat cat` is one word.
  const byKey = new Map<string, string>();
  for (const { text: word } of tokens) if (!byKey.has(word.toLowerCase())) byKey.set(word.toLowerCase(), word);
  const words = [...byKey.values()];
  if (!words.length) return { kind: 'all', query: '' };
  return { kind: 'words', words, query: words.map((word) => `tags = ${quoted(word)}`).join(' AND ') };
}
