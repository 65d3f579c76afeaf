/*
 * What differs between the runtimes that run the Node host: Node itself, Deno and Bun (both implement
 * Node's API). Decided once at load; everything here is safe to run without Deno's permissions.
 */

/** The runtime running reftrace. */
export const runtime: 'node' | 'deno' | 'bun' = 'Deno' in globalThis ? 'deno' : 'Bun' in globalThis ? 'bun' : 'node';

/** Whether `error` is a permission Deno denied (`NotCapable` since Deno 2, `PermissionDenied` before). */
export function isDenied(error: unknown): boolean {
	return error instanceof Error && (error.name === 'NotCapable' || error.name === 'PermissionDenied');
}

// What each missing Deno permission costs, said once each.
const COSTS = {
	env: 'reftrace cannot read environment variables (Deno: run with --allow-env): REFTRACE_* settings, NO_COLOR and FORCE_COLOR are ignored and the defaults apply; configure() still works',
	read: 'reftrace cannot read source files (Deno: run with --allow-read): reports show file:line:column without the source line',
} as const;
const said = new Set<keyof typeof COSTS>();

/** Warns, once per permission, what reftrace loses without it. */
export function denied(permission: keyof typeof COSTS): void {
	if (said.has(permission)) return;
	said.add(permission);
	try {
		process.emitWarning(COSTS[permission], { code: 'REFTRACE_PERMISSION' });
	} catch {
		// No way to warn: the reports themselves still show what is missing.
	}
}

/**
 * The environment, or an empty one when it cannot be read (Deno without --allow-env, where even
 * listing `process.env` throws). Listing it once here means nothing later can throw on it.
 */
export function readableEnvironment(): Readonly<Record<string, string | undefined>> {
	try {
		Object.keys(process.env);
		return process.env;
	} catch (error) {
		if (isDenied(error)) denied('env');
		return {};
	}
}

/** A FORCE_COLOR value as a colour level, as chalk and Node read it: '' and `true` are 1, `false` is 0. */
function forcedLevel(value: string): 0 | 1 | 2 | 3 {
	if (value === '' || value === 'true') return 1;
	if (value === 'false') return 0;
	const level = Number.parseInt(value, 10);
	return Number.isNaN(level) ? 1 : (Math.max(0, Math.min(level, 3)) as 0 | 1 | 2 | 3);
}

/**
 * Colour level of stderr, decided once at load: FORCE_COLOR wins (as in Node, also over NO_COLOR); else
 * none for NO_COLOR or when stderr is not a terminal; else the terminal's depth as Node's tty reads it
 * (TERM, COLORTERM, CI...).
 */
export function stderrColorLevel(env: Readonly<Record<string, string | undefined>>): 0 | 1 | 2 | 3 {
	return colorLevel(env, () => process.stderr);
}

/** The colour level of a stream, by the same rules as stderr's. */
export function colorLevel(env: Readonly<Record<string, string | undefined>>, stream: () => unknown): 0 | 1 | 2 | 3 {
	const force = env['FORCE_COLOR'];
	if (force !== undefined) return forcedLevel(force);
	if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return 0;
	try {
		const tty = stream() as Partial<import('node:tty').WriteStream>;
		if (tty.isTTY !== true) return 0;
		const depth = tty.getColorDepth?.() ?? 4;
		return depth >= 24 ? 3 : depth >= 8 ? 2 : depth >= 4 ? 1 : 0;
	} catch {
		return 0;
	}
}

/*
 * JavaScriptCore (Bun) drops the frame of a function that ends in a tail call in strict code, which all ES
 * modules are: `checkout() { return root.acquire(owner); }` vanishes and the site moves to its caller.
 * BUN_JSC_useTailCalls=0 keeps every frame. The probe below is such a pair of functions.
 */
function tailCallee(): string {
	return String(new Error().stack);
}
function tailCaller(): string {
	return tailCallee();
}

/** Warns once, at load, when this runtime drops tail-calling frames from stacks. */
export function warnIfTailCallsDropFrames(): void {
	const limit = Error.stackTraceLimit;
	try {
		Error.stackTraceLimit = 10;
		const stack = tailCaller();
		// No stack at all (an odd runtime, a frozen limit): nothing can be told.
		if (!stack.includes('tailCallee') || stack.includes('tailCaller')) return;
		process.emitWarning(
			'reftrace: this runtime drops the frame of a function that ends in a tail call (Bun, in strict code and all ES modules), so report sites may name its caller instead; run with BUN_JSC_useTailCalls=0 to keep every frame',
			{ code: 'REFTRACE_TAIL_CALLS' },
		);
	} catch {
		// No way to warn: nothing to say.
	} finally {
		try {
			Error.stackTraceLimit = limit;
		} catch {
			// Not writable: then it was not changed either.
		}
	}
}
