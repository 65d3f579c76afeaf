import { VIOLATION_KINDS, type Mode } from './data.js';
import type { Violation } from './errors.js';
import { host } from './platform/host.js';
import { parseRules, type SuppressionRule } from './report/suppression-rules.js';

/** What happens at a violation: print a report and go on, throw from the offending call, or call back (`error.kind` narrows it). */
export type ViolationPolicy = 'report' | 'throw' | ((error: Violation) => void);

/** The settings in force; `configure` changes them for objects tracked afterwards. */
export interface Settings {
	readonly mode: Mode;
	readonly onViolation: ViolationPolicy;
	/** Frames kept per stack that takes a reference (track, acquire, move) or commits a violation, 1–64 (default 10). */
	readonly stackDepth: number;
	/**
	 * Frames kept per release stack, 1–64 (default 4). Each frame costs about as much to capture as a
	 * whole `new Error()`'s worth divided by ten, and releases are as frequent as acquires, so releases
	 * keep the release site and three callers unless asked for more.
	 */
	readonly releaseStackDepth: number;
	/**
	 * Share of references, above 0 and at most 1, whose events record stacks in `full` mode (default 1:
	 * all). Every reference still gets an owner, a place on the live list and leak detection.
	 */
	readonly sample: number;
	/** Ended references remembered per object for later reports, 0–1024 (default 16). */
	readonly quarantine: number;
	/** Report a live reference the moment the garbage collector finds it dropped (list/full modes; default true). */
	readonly gcLeaks: boolean;
	/** Print the grouped leak report at exit when anything was tracked in list/full mode (default true). */
	readonly exitReport: boolean;
	/**
	 * Also write the exit report as JSON to this path (default null); `%p` becomes the pid and `%t` the
	 * thread id. Each worker thread and each copy of reftrace gets its own file (`.t<id>`, `.2` before the
	 * extension when the path alone would not tell them apart).
	 */
	readonly reportPath: string | null;
	/** Exit with this code when the run leaked or violated and would otherwise exit 0 (default null: never change it). */
	readonly exitCode: number | null;
	/**
	 * Suppression rules in force for the whole process (default none). `configure` takes a file path or a
	 * list of rules (`leak:Session`); `settings()` returns them parsed.
	 */
	readonly suppressions: readonly SuppressionRule[];
	/**
	 * Also write each SIGUSR2 dump as a JSON report here (default null); `%p` becomes the pid, `%t` the
	 * thread id, `%n` the dump's number (1, 2, …; added before the extension when the path has no `%n`).
	 */
	readonly dumpPath: string | null;
	/**
	 * Record every event of the run to this file in the Trace Event Format (default null), for Perfetto
	 * and chrome://tracing; `%p` becomes the pid, `%t` the thread id. Process-wide: setting it starts the
	 * trace (a trace already running is closed first), null closes it.
	 */
	readonly trace: string | null;
	/** Events a trace holds at most (default 1,000,000); at the cap it says so in the file and stops. */
	readonly traceMaxEvents: number;
	/**
	 * Adapter code: files (paths or `file:` URLs, a folder meaning everything under it) or RegExps whose
	 * frames are left out at the top of every stack captured from now on, for every object, so that sites,
	 * grouping and default owners come from the adapter's caller (default: none).
	 */
	readonly wrapperFiles: readonly (string | RegExp)[];
}

/** What `configure({ suppressions })` accepts: a rules file, a list of rules, or null for none. */
export type SuppressionsOption = string | readonly string[] | null;

/** Options accepted by `configure`; each one left out keeps its current value. */
export type ConfigureOptions = { readonly [K in keyof Settings]?: (K extends 'suppressions' ? SuppressionsOption : Settings[K]) | undefined };

const MODES: readonly Mode[] = ['off', 'list', 'full'];
const POLICIES = ['report', 'throw'] as const;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The most ended references an object's quarantine keeps (`quarantine`). */
export const QUARANTINE_MAX = 1024;

const DEFAULTS: Settings = {
	mode: 'full',
	onViolation: 'report',
	stackDepth: 10,
	releaseStackDepth: 4,
	sample: 1,
	quarantine: 16,
	gcLeaks: true,
	exitReport: true,
	reportPath: null,
	exitCode: null,
	suppressions: [],
	dumpPath: null,
	trace: null,
	traceMaxEvents: 1_000_000,
	wrapperFiles: [],
};

/**
 * Reads suppression rules from a file or a list.
 * @throws TypeError naming the file and line (or the list entry) of a bad rule, or the file that cannot be read.
 */
function readSuppressions(value: unknown): readonly SuppressionRule[] {
	if (value === null) return [];
	if (Array.isArray(value) && value.every((rule) => typeof rule === 'string')) {
		return Object.freeze(parseRules(value as string[], VIOLATION_KINDS, (i) => `suppressions[${i}]`));
	}
	if (typeof value !== 'string' || value === '') {
		throw new TypeError(`Expected \`suppressions\` to be a file path, a list of rules or null, got ${Array.isArray(value) ? 'a list with a non-string' : typeof value}`);
	}
	const text = host().readSource(value);
	if (text === null) throw new TypeError(`Cannot read the suppressions file ${value}`);
	return Object.freeze(parseRules(text.split(/\r?\n/), VIOLATION_KINDS, (i) => `${value}:${i + 1}`));
}

/** @throws TypeError naming `name` when `value` is not an object. */
/** The TypeError for an argument that must be a non-empty string (callers keep their own test: some sit on hot paths). */
export function notNonEmptyString(name: string, value: unknown): TypeError {
	return new TypeError(`Expected \`${name}\` to be a non-empty string, got ${value === '' ? 'an empty string' : typeof value}`);
}

export function expectObject(name: string, value: unknown): void {
	if (typeof value !== 'object' || value === null) {
		throw new TypeError(`Expected \`${name}\` to be an object, got ${value === null ? 'null' : typeof value}`);
	}
}

function oneOf<T>(name: string, value: unknown, allowed: readonly T[]): T {
	if (!(allowed as readonly unknown[]).includes(value)) {
		throw new TypeError(`Expected \`${name}\` to be one of ${allowed.join(', ')}, got ${String(value)}`);
	}
	return value as T;
}

function integer(name: string, value: unknown, min: number, max: number): number {
	if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
		throw new TypeError(`Expected \`${name}\` to be an integer from ${min} to ${max}, got ${String(value)}`);
	}
	return value;
}

function boolean(name: string, value: unknown): boolean {
	if (typeof value !== 'boolean') throw new TypeError(`Expected \`${name}\` to be a boolean, got ${typeof value}`);
	return value;
}

function path(name: string, value: unknown): string | null {
	if (value !== null && (typeof value !== 'string' || value === '')) throw new TypeError(`Expected \`${name}\` to be a non-empty string or null, got ${typeof value}`);
	return value as string | null;
}

/** One validator per setting, shared by `configure` and the environment variables. */
const CHECKS: { readonly [K in keyof Settings]: (value: unknown) => Settings[K] } = {
	mode: (v) => oneOf('mode', v, MODES),
	onViolation: (v) => {
		if (typeof v !== 'function' && !(POLICIES as readonly unknown[]).includes(v)) {
			throw new TypeError(`Expected \`onViolation\` to be 'report', 'throw' or a function, got ${String(v)}`);
		}
		return v as ViolationPolicy;
	},
	stackDepth: (v) => integer('stackDepth', v, 1, 64),
	releaseStackDepth: (v) => integer('releaseStackDepth', v, 1, 64),
	sample: (v) => {
		if (typeof v !== 'number' || !(v > 0 && v <= 1)) throw new TypeError(`Expected \`sample\` to be a number above 0 and at most 1, got ${String(v)}`);
		return v;
	},
	quarantine: (v) => integer('quarantine', v, 0, QUARANTINE_MAX),
	gcLeaks: (v) => boolean('gcLeaks', v),
	exitReport: (v) => boolean('exitReport', v),
	reportPath: (v) => path('reportPath', v),
	exitCode: (v) => (v === null ? null : integer('exitCode', v, 1, 255)),
	suppressions: readSuppressions,
	dumpPath: (v) => path('dumpPath', v),
	trace: (v) => path('trace', v),
	traceMaxEvents: (v) => integer('traceMaxEvents', v, 1, 1_000_000_000),
	wrapperFiles: (v) => {
		const valid = (f: unknown): boolean => f instanceof RegExp || (typeof f === 'string' && f !== '');
		if (!Array.isArray(v) || !v.every(valid)) throw new TypeError(`Expected \`wrapperFiles\` to be an array of non-empty strings (paths or file: URLs) and RegExps, got ${Array.isArray(v) ? 'an array with other items' : typeof v}`);
		return Object.freeze([...(v as (string | RegExp)[])]);
	},
};

// Environment text to a setting's value; the setting's own check then judges it. Anything unparsable
// becomes a value the check rejects (NaN, or the text itself).
const wholeNumber = (text: string): number => (/^\d+$/.test(text) ? Number(text) : Number.NaN);
const decimal = (text: string): number => (text.trim() === '' ? Number.NaN : Number(text));
const flag = (text: string): boolean | string => (text === '1' ? true : text === '0' ? false : text);
const verbatim = (text: string): string => text;

/** Each environment variable: the setting it sets, how its text is read, and what it accepts (for the warning). */
const VARIABLES: Record<string, { readonly key: keyof Settings; readonly parse: (text: string) => unknown; readonly accepts: string }> = {
	REFTRACE: { key: 'mode', parse: verbatim, accepts: MODES.join(' | ') },
	REFTRACE_ON_VIOLATION: { key: 'onViolation', parse: verbatim, accepts: POLICIES.join(' | ') },
	REFTRACE_STACK_DEPTH: { key: 'stackDepth', parse: wholeNumber, accepts: 'an integer 1-64' },
	REFTRACE_RELEASE_STACK_DEPTH: { key: 'releaseStackDepth', parse: wholeNumber, accepts: 'an integer 1-64' },
	REFTRACE_SAMPLE: { key: 'sample', parse: decimal, accepts: 'a number above 0, at most 1' },
	REFTRACE_GC_LEAKS: { key: 'gcLeaks', parse: flag, accepts: '0 | 1' },
	REFTRACE_EXIT_REPORT: { key: 'exitReport', parse: flag, accepts: '0 | 1' },
	REFTRACE_REPORT: { key: 'reportPath', parse: verbatim, accepts: 'a file path (%p becomes the pid, %t the thread id)' },
	REFTRACE_EXIT_CODE: { key: 'exitCode', parse: wholeNumber, accepts: 'an integer 1-255' },
	REFTRACE_DUMP: { key: 'dumpPath', parse: verbatim, accepts: 'a file path (%p the pid, %t the thread id, %n the dump number)' },
	REFTRACE_TRACE: { key: 'trace', parse: verbatim, accepts: 'a file path (%p becomes the pid, %t the thread id)' },
	REFTRACE_TRACE_MAX_EVENTS: { key: 'traceMaxEvents', parse: wholeNumber, accepts: 'an integer 1-1000000000' },
	REFTRACE_SUPPRESSIONS: { key: 'suppressions', parse: verbatim, accepts: 'a file of suppression rules, one kind:pattern a line' },
};

/** Sets one setting after its check; the check throws a TypeError naming the option. */
function apply(into: Mutable<Settings>, key: keyof Settings, value: unknown): void {
	(into as Record<keyof Settings, unknown>)[key] = CHECKS[key](value);
}

/** Reads the REFTRACE_* variables once; every unknown name and bad value goes into one warning. */
function fromEnvironment(env: Readonly<Record<string, string | undefined>>): Settings {
	const result: Mutable<Settings> = { ...DEFAULTS };
	const problems: string[] = [];
	for (const [name, value] of Object.entries(env)) {
		if (!name.startsWith('REFTRACE') || value === undefined || value === '') continue;
		const variable = VARIABLES[name];
		if (variable === undefined) {
			problems.push(`unknown variable ${name}`);
			continue;
		}
		try {
			apply(result, variable.key, variable.parse(value));
		} catch (error) {
			// A bad rule is named with its line; reporting goes on without any suppression rather than silently.
			const why = variable.key === 'suppressions' ? `: ${(error as Error).message}; no report is suppressed` : '';
			problems.push(`${name}=${JSON.stringify(value)} is not ${variable.accepts}${why}`);
		}
	}
	if (problems.length > 0) {
		const valid = Object.entries(VARIABLES).map(([name, v]) => `  ${name}: ${v.accepts}`);
		const message = `reftrace ignored ${problems.join('; ')}. Valid variables:\n${valid.join('\n')}`;
		if (firstInRealm(message)) host().warn(message, 'REFTRACE_ENV');
	}
	return Object.freeze(result);
}

// Read from the environment at the first call: entry points make it right after installing the host.
let current: Settings | undefined;

/** The settings in force now. */
export function settings(): Settings {
	return (current ??= fromEnvironment(host().env));
}

/**
 * Changes the settings for objects tracked from now on (objects already tracked keep theirs).
 * @returns the settings now in force.
 * @throws TypeError when an option has a value outside its documented range.
 * @example configure({ mode: 'list', onViolation: 'throw' });
 */
export function configure(options: ConfigureOptions): Settings {
	expectObject('options', options);
	const next: Mutable<Settings> = { ...settings() };
	for (const [key, value] of Object.entries(options)) {
		if (value === undefined) continue;
		if (!Object.hasOwn(CHECKS, key)) throw new TypeError(`Unknown option \`${key}\`; expected one of ${Object.keys(DEFAULTS).join(', ')}`);
		apply(next, key as keyof Settings, value);
	}
	const wrappersChanged = next.wrapperFiles !== settings().wrapperFiles;
	current = Object.freeze(next);
	if (wrappersChanged) host().setWrapperFiles(next.wrapperFiles);
	for (const listener of listeners) listener(current);
	return current;
}

const listeners: ((settings: Settings) => void)[] = [];

/** Calls `listener` with the new settings after every `configure` (process-wide settings such as the trace act on it). */
export function onConfigure(listener: (settings: Settings) => void): void {
	listeners.push(listener);
}

// Environment warnings already given in this realm, by every copy of reftrace loaded in it (a global, by
// registered symbol): under Jest with vm modules, a test file loads the CommonJS and the ES build's checks.
const WARNED = Symbol.for('reftrace.environmentWarnings');

/** Whether no copy of reftrace in this realm has said `message` yet; notes that it has now. */
function firstInRealm(message: string): boolean {
	const holder = globalThis as { [WARNED]?: Set<string> };
	if (holder[WARNED] === undefined) Object.defineProperty(holder, WARNED, { value: new Set<string>() });
	const warned = holder[WARNED]!;
	if (warned.has(message)) return false;
	warned.add(message);
	return true;
}
