// aws-local-stepfunctions is built for Node 22 and calls Promise.withResolvers in every Task; Node 20
// lacks it. Imported before that package, and only by the local runtime.
const promise = Promise as unknown as {
  withResolvers?: <T>() => { promise: Promise<T>; resolve: (value: T) => void; reject: (reason?: unknown) => void };
};
promise.withResolvers ??= <T>() => {
  let resolve!: (value: T) => void;
  let reject!: (reason?: unknown) => void;
  const created = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise: created, resolve, reject };
};
export {};
