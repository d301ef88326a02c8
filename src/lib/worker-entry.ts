// Where a worker thread's entry point is, from source and in the compiled binary.

/**
 * The URL of the worker entry `pathUnderSrc` (e.g. `routing/sandbox-worker.ts`). From source it is that file under
 * src/. In the compiled binary every module is bundled into the executable (`import.meta.url` is
 * `file:///$bunfs/root/<exe>`) and each worker is an extra entry point of `npm run build`, kept at its path under
 * the entry points' common root (src/).
 */
export function workerEntry(pathUnderSrc: string): URL {
  const compiled = import.meta.url.includes("/$bunfs/");
  return new URL(compiled ? `./${pathUnderSrc}` : `../${pathUnderSrc}`, import.meta.url);
}
