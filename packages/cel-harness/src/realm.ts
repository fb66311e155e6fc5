/**
 * cel-js recognises maps, timestamps and bytes by their constructors. Under a test runner that runs
 * this code in a separate VM context (jest), objects made here would come from another realm than
 * cel-js's; `toCelRealm` rebuilds such values with the intrinsics of cel-js's realm (Node's main
 * context). Outside such a runner both realms are the same and values are returned unchanged.
 */
interface Intrinsics {
  Object: ObjectConstructor;
  Date: DateConstructor;
  Uint8Array: Uint8ArrayConstructor;
  Array: ArrayConstructor;
  JSON: JSON;
  Promise: PromiseConstructor;
}
const vm = process.getBuiltinModule('node:vm');
const R = vm.runInThisContext('({ Object, Date, Uint8Array, Array, JSON, Promise })') as Intrinsics;

const tag = (v: object): string => Object.prototype.toString.call(v);

export function toCelRealm<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  const proto: unknown = Object.getPrototypeOf(value);
  if (
    proto === R.Object.prototype ||
    proto === R.Array.prototype ||
    proto === R.Date.prototype ||
    proto === R.Uint8Array.prototype
  )
    return value;
  switch (tag(value)) {
    case '[object Array]':
      return R.Array.from(value as unknown[], toCelRealm) as T;
    case '[object Date]':
      return new R.Date((value as unknown as Date).getTime()) as T;
    case '[object Uint8Array]':
      return new R.Uint8Array(value as unknown as Uint8Array) as T;
    case '[object Object]': {
      if (proto !== Object.prototype && proto !== null) return value; // a cel-js class instance (Duration, Optional, ...)
      const out = new R.Object() as Record<string, unknown>;
      for (const [k, v] of Object.entries(value)) out[k] = toCelRealm(v);
      return out as T;
    }
    default:
      return value;
  }
}

/** JSON.parse in cel-js's realm. */
export const parseJsonInCelRealm = (text: string): unknown => R.JSON.parse(text) as unknown;

/** A promise of cel-js's realm (cel-js awaits only values that are `instanceof` its own Promise). */
export const toCelPromise = <T>(p: Promise<T>): Promise<T> => R.Promise.resolve(p).then(toCelRealm);
