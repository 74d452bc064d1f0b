import { type ApiError, badRequest } from './errors.js';

/** The words, strings, numbers and symbols of a searchQuery, each with its 1-based column, and errors that name it. */

export type Keyword = 'AND' | 'OR' | 'NOT' | 'IN' | 'HAS' | 'EXISTS' | 'TRUE' | 'FALSE';
const KEYWORDS = new Set<string>(['AND', 'OR', 'NOT', 'IN', 'HAS', 'EXISTS', 'TRUE', 'FALSE']);
type SymbolText = '(' | ')' | '[' | ']' | ',' | '=' | '<' | '<=' | '>' | '>=' | ':';

/** `column` is 1-based; `text` is the token as written. */
export type Token =
  | { type: 'word'; text: string; column: number }
  | { type: 'number'; text: string; value: number; column: number }
  | { type: 'string'; text: string; value: string; column: number }
  | { type: 'keyword'; text: string; keyword: Keyword; column: number }
  | { type: 'symbol'; text: SymbolText; column: number }
  | { type: 'invalid'; text: string; column: number }
  | { type: 'end'; text: ''; column: number };
export type ScalarToken = Extract<Token, { type: 'word' | 'number' | 'string' | 'keyword' }>;

const WORD_CHAR = /[\p{L}\p{N}_.+-]/u;
export const NUMBER_TEXT = /^-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;
const SYMBOLS = new Set<string>(['(', ')', '[', ']', ',', '=', '<', '>', ':']);

/** Reads tokens on demand, so an error is reported at the first place the text stops making sense. */
export class Tokens {
  private position = 0;
  private lookahead: Token | undefined;

  constructor(private readonly text: string) {}

  peek(): Token {
    this.lookahead ??= this.read();
    return this.lookahead;
  }

  next(): Token {
    const token = this.peek();
    this.lookahead = undefined;
    return token;
  }

  private read(): Token {
    const { text } = this;
    while (this.position < text.length && /\s/.test(text.charAt(this.position))) this.position++;
    const start = this.position;
    const column = start + 1;
    if (start >= text.length) return { type: 'end', text: '', column };
    const char = text.charAt(start);
    if (char === '"' || char === "'") return this.readString(char, column);
    if ((char === '<' || char === '>') && text.charAt(start + 1) === '=') {
      this.position += 2;
      return { type: 'symbol', text: `${char}=`, column };
    }
    if (SYMBOLS.has(char)) {
      this.position++;
      return { type: 'symbol', text: char as SymbolText, column };
    }
    if (WORD_CHAR.test(char)) {
      while (this.position < text.length && WORD_CHAR.test(text.charAt(this.position))) this.position++;
      const word = text.slice(start, this.position);
      const upper = word.toUpperCase();
      if (KEYWORDS.has(upper)) return { type: 'keyword', text: word, keyword: upper as Keyword, column };
      // `1e999` is not a number anyone means: it stays a word, and a field that wants a number refuses it.
      const number = NUMBER_TEXT.test(word) ? Number(word) : Number.NaN;
      if (Number.isFinite(number)) return { type: 'number', text: word, value: number === 0 ? 0 : number, column };
      return { type: 'word', text: word, column };
    }
    const codePoint = String.fromCodePoint(text.codePointAt(start) ?? 0);
    const invalid = char === '!' && text.charAt(start + 1) === '=' ? '!=' : codePoint;
    this.position += invalid.length;
    return { type: 'invalid', text: invalid, column };
  }

  /** Double- or single-quoted; `\"`, `\'` and `\\` are the only escapes. */
  private readString(quoteChar: string, column: number): Token {
    const { text } = this;
    let value = '';
    let index = this.position + 1;
    while (index < text.length) {
      const char = text.charAt(index);
      if (char === quoteChar) {
        this.position = index + 1;
        return { type: 'string', text: text.slice(column - 1, this.position), value, column };
      }
      if (char === '\\') {
        const escaped = text.charAt(index + 1);
        if (escaped !== '"' && escaped !== "'" && escaped !== '\\') {
          const found = index + 1 < text.length ? JSON.stringify(`\\${escaped}`) : 'end of query';
          throw queryError(
            index + 1,
            `expected \\" or \\\\ after a backslash, found ${found}`,
            'Inside a string, write \\" for a quote and \\\\ for a backslash.',
          );
        }
        value += escaped;
        index += 2;
      } else {
        value += char;
        index++;
      }
    }
    throw queryError(
      column,
      `expected a closing ${quoteChar} for the string that starts here, found end of query`,
      'Close every string, e.g. name = "red-dress".',
    );
  }
}

export function isKeyword(token: Token, keyword: Keyword): boolean {
  return token.type === 'keyword' && token.keyword === keyword;
}

/** Values: strings, numbers, bare words and true/false — not AND, OR, NOT, IN, HAS or EXISTS. */
export function isScalar(token: Token): token is ScalarToken {
  if (token.type === 'keyword') return token.keyword === 'TRUE' || token.keyword === 'FALSE';
  return token.type === 'word' || token.type === 'number' || token.type === 'string';
}

const FOUND_MAX_CHARS = 40;

export function describeToken(token: Token): string {
  if (token.type === 'end') return 'end of query';
  if (token.type === 'keyword' && token.keyword !== 'TRUE' && token.keyword !== 'FALSE') return token.keyword;
  const text = token.text.length > FOUND_MAX_CHARS ? `${token.text.slice(0, FOUND_MAX_CHARS)}…` : token.text;
  return token.type === 'string' ? text : JSON.stringify(text);
}

export function expected(token: Token, what: string, help: string): ApiError {
  return queryError(token.column, `expected ${what}, found ${describeToken(token)}`, help);
}

/** The message says where and what went wrong; the help says it again, then how to write it (docs/api.md, "Errors"). */
export function queryError(column: number, text: string, help: string): ApiError {
  return badRequest(`searchQuery: at column ${column}, ${text}`, `Column ${column}: ${text}. ${help}`);
}
