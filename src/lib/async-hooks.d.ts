/**
 * The part of `node:async_hooks` Workers provide with `nodejs_compat` (on by default since our
 * compatibility date) and the code uses. Declared here rather than pulling Node's types into Worker code,
 * where `process` or `Buffer` would then type-check and fail at run time.
 */
declare module "node:async_hooks" {
	export class AsyncLocalStorage<T> {
		getStore(): T | undefined;
		run<R>(store: T, callback: () => R): R;
	}
}
