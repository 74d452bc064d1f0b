/** `make` runs on the first call only; later calls get the same value (one per Lambda container). */
export function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => {
    made ??= { value: make() };
    return made.value;
  };
}
