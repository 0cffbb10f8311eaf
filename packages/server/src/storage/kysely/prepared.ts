// Queries written with Kysely but compiled once: the hot paths skip Kysely's query building (immutable
// node trees, visitor, compiler) on every request and only bind new values by position.
import { type Compilable, CompiledQuery, type QueryResult } from 'kysely';

/** What a prepared query runs on: the Kysely instance or a transaction of it. */
export interface QueryRunner {
  executeQuery<R>(query: CompiledQuery<R>): Promise<QueryResult<R>>;
}

/**
 * Stands in for an argument while the template is built. Kysely passes values through untouched into
 * the compiled query's parameters, which is where each marker is found again. Using a marker in
 * arithmetic or a string would bake a wrong constant into the SQL, so that fails at once.
 */
class Marker {
  constructor(readonly name: string) {}
  [Symbol.toPrimitive](): never {
    throw new Error(`prepared query argument "${this.name}" can only be passed to Kysely as a value`);
  }
}

/** A parameter position: an argument by name, or a constant written into the template. */
type Slot = { readonly arg: string } | { readonly arg: undefined; readonly value: unknown };

/** A query compiled once by its Kysely instance (so in one dialect), run with new argument values. */
export interface PreparedQuery<A, O> {
  /** The compiled SQL text (in the instance's dialect). */
  readonly sql: string;
  /** Runs the query with `args` bound in place of the markers, on `db` or inside a transaction. */
  execute(db: QueryRunner, args: A): Promise<QueryResult<O>>;
}

/**
 * Builds `build`'s query once, with a marker in place of each argument, and keeps its compiled SQL:
 * later runs bind the arguments by position (`CompiledQuery.raw`), skipping Kysely's builder and
 * compiler. The argument types come from the build function's parameter annotation.
 *
 * Arguments must reach the query as plain values (`where(col, '=', a.x)`, `values({ col: a.x })`); an
 * argument that does not appear among the compiled parameters is an error, caught here at start-up.
 * Plugins run when the template is compiled, not per execution: the storage's Kysely instances have none.
 *
 * @example
 * const byId = prepare((a: { id: string }) => db.selectFrom('users').selectAll().where('id', '=', a.id));
 * const { rows } = await byId.execute(db, { id });
 */
export function prepare<A extends object, O>(build: (args: A) => Compilable<O>): PreparedQuery<A, O> {
  const used = new Set<string>();
  const markers = new Proxy(
    {},
    {
      get(_target, key) {
        if (typeof key !== 'string') return undefined;
        used.add(key);
        return new Marker(key);
      },
    },
  ) as A;
  const compiled = build(markers).compile();
  const slots: Slot[] = compiled.parameters.map((p) =>
    p instanceof Marker ? { arg: p.name } : { arg: undefined, value: p },
  );
  for (const name of used) {
    if (!slots.some((s) => s.arg === name)) {
      throw new Error(`prepared query argument "${name}" is not a parameter of: ${compiled.sql}`);
    }
  }
  const sql = compiled.sql;
  return {
    sql,
    execute(runner, args) {
      const values = args as Record<string, unknown>;
      const parameters = new Array<unknown>(slots.length);
      for (let i = 0; i < slots.length; i++) {
        const slot = slots[i] as Slot;
        if (slot.arg === undefined) {
          parameters[i] = slot.value;
        } else {
          const value = values[slot.arg];
          if (value === undefined) {
            return Promise.reject(new Error(`prepared query argument "${slot.arg}" is missing`));
          }
          parameters[i] = value;
        }
      }
      return runner.executeQuery<O>(CompiledQuery.raw(sql, parameters));
    },
  };
}
