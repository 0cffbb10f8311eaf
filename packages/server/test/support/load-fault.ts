// The fault the load-fault tests inject on a module loaded at its first use (domain/on-demand.ts): what
// Node throws when the process has run out of file descriptors while opening the module's files.

/** An `EMFILE` error as `import()` raises it, naming a path that must never reach an answer. */
export function tooManyOpenFiles(): Error {
  return Object.assign(new Error('EMFILE: too many open files, open /srv/node_modules/x'), {
    code: 'EMFILE',
  });
}
