import type { Violation } from './violations.js';

/**
 * How much each tracked object records.
 * - `off`: counts, states and `onZero` only; every misuse is still caught, without history.
 * - `list`: plus a live list of references and a quarantine of ended ones (owners and times, no stacks).
 * - `full`: plus a call-site stack for every event.
 */
export type Mode = 'off' | 'list' | 'full';

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
	/** Also write the exit report as JSON to this path; `%p` becomes the pid (default null). */
	readonly reportPath: string | null;
	/** Exit with this code when the run leaked or violated and would otherwise exit 0 (default null: never change it). */
	readonly exitCode: number | null;
}

/** Options accepted by `configure`; each one left out keeps its current value. */
export type ConfigureOptions = { readonly [K in keyof Settings]?: Settings[K] | undefined };

export const MODES: readonly Mode[] = ['off', 'list', 'full'];
const POLICIES = ['report', 'throw'] as const;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

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
};

/** Each environment variable: what it accepts (for the warning) and how it sets a setting; null means a bad value. */
const VARIABLES: Record<string, { readonly accepts: string; readonly apply: (value: string, into: Mutable<Settings>) => boolean }> = {
	REFTRACE: { accepts: MODES.join(' | '), apply: (v, s) => (MODES as readonly string[]).includes(v) && ((s.mode = v as Mode), true) },
	REFTRACE_ON_VIOLATION: {
		accepts: POLICIES.join(' | '),
		apply: (v, s) => (POLICIES as readonly string[]).includes(v) && ((s.onViolation = v as 'report'), true),
	},
	REFTRACE_STACK_DEPTH: { accepts: 'an integer 1-64', apply: (v, s) => integer(v, 1, 64, (n) => (s.stackDepth = n)) },
	REFTRACE_RELEASE_STACK_DEPTH: { accepts: 'an integer 1-64', apply: (v, s) => integer(v, 1, 64, (n) => (s.releaseStackDepth = n)) },
	REFTRACE_SAMPLE: { accepts: 'a number above 0, at most 1', apply: (v, s) => share(v, (p) => (s.sample = p)) },
	REFTRACE_GC_LEAKS: { accepts: '0 | 1', apply: (v, s) => flag(v, (b) => (s.gcLeaks = b)) },
	REFTRACE_EXIT_REPORT: { accepts: '0 | 1', apply: (v, s) => flag(v, (b) => (s.exitReport = b)) },
	REFTRACE_REPORT: { accepts: 'a file path (%p becomes the pid)', apply: (v, s) => ((s.reportPath = v), true) },
	REFTRACE_EXIT_CODE: { accepts: 'an integer 1-255', apply: (v, s) => integer(v, 1, 255, (n) => (s.exitCode = n)) },
};

function integer(text: string, min: number, max: number, set: (n: number) => void): boolean {
	const n = Number(text);
	if (!/^\d+$/.test(text) || n < min || n > max) return false;
	set(n);
	return true;
}

function share(text: string, set: (p: number) => void): boolean {
	const p = Number(text);
	if (text.trim() === '' || !(p > 0 && p <= 1)) return false;
	set(p);
	return true;
}

function flag(text: string, set: (b: boolean) => void): boolean {
	if (text !== '0' && text !== '1') return false;
	set(text === '1');
	return true;
}

/** Reads the REFTRACE_* variables once; every unknown name and bad value goes into one warning. */
function fromEnvironment(env: NodeJS.ProcessEnv): Settings {
	const result: Mutable<Settings> = { ...DEFAULTS };
	const problems: string[] = [];
	for (const [name, value] of Object.entries(env)) {
		if (!name.startsWith('REFTRACE') || value === undefined || value === '') continue;
		const variable = VARIABLES[name];
		if (variable === undefined) problems.push(`unknown variable ${name}`);
		else if (!variable.apply(value, result)) problems.push(`${name}=${JSON.stringify(value)} is not ${variable.accepts}`);
	}
	if (problems.length > 0) {
		const valid = Object.entries(VARIABLES).map(([name, v]) => `  ${name}: ${v.accepts}`);
		process.emitWarning(`reftrace ignored ${problems.join('; ')}. Valid variables:\n${valid.join('\n')}`, { code: 'REFTRACE_ENV' });
	}
	return Object.freeze(result);
}

let current: Settings = fromEnvironment(process.env);

/** The settings in force now. */
export function settings(): Settings {
	return current;
}

function checkInteger(name: string, value: unknown, min: number, max: number): number {
	if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
		throw new TypeError(`Expected \`${name}\` to be an integer from ${min} to ${max}, got ${String(value)}`);
	}
	return value;
}

/**
 * Changes the settings for objects tracked from now on (objects already tracked keep theirs).
 * @returns the settings now in force.
 * @throws TypeError when an option has a value outside its documented range.
 * @example configure({ mode: 'list', onViolation: 'throw' });
 */
export function configure(options: ConfigureOptions): Settings {
	if (typeof options !== 'object' || options === null) {
		throw new TypeError(`Expected \`options\` to be an object, got ${options === null ? 'null' : typeof options}`);
	}
	const next: Mutable<Settings> = { ...current };
	for (const [key, value] of Object.entries(options)) {
		if (value === undefined) continue;
		switch (key) {
			case 'mode':
				if (!(MODES as readonly unknown[]).includes(value)) {
					throw new TypeError(`Expected \`mode\` to be one of ${MODES.join(', ')}, got ${String(value)}`);
				}
				next.mode = value as Mode;
				break;
			case 'onViolation':
				if (typeof value !== 'function' && !(POLICIES as readonly unknown[]).includes(value)) {
					throw new TypeError(`Expected \`onViolation\` to be 'report', 'throw' or a function, got ${String(value)}`);
				}
				next.onViolation = value as ViolationPolicy;
				break;
			case 'stackDepth':
			case 'releaseStackDepth':
				next[key] = checkInteger(key, value, 1, 64);
				break;
			case 'sample':
				if (typeof value !== 'number' || !(value > 0 && value <= 1)) {
					throw new TypeError(`Expected \`sample\` to be a number above 0 and at most 1, got ${String(value)}`);
				}
				next.sample = value;
				break;
			case 'quarantine':
				next.quarantine = checkInteger('quarantine', value, 0, 1024);
				break;
			case 'gcLeaks':
			case 'exitReport':
				if (typeof value !== 'boolean') throw new TypeError(`Expected \`${key}\` to be a boolean, got ${typeof value}`);
				next[key] = value;
				break;
			case 'reportPath':
				if (value !== null && (typeof value !== 'string' || value === '')) {
					throw new TypeError(`Expected \`reportPath\` to be a non-empty string or null, got ${typeof value}`);
				}
				next.reportPath = value as string | null;
				break;
			case 'exitCode':
				next.exitCode = value === null ? null : checkInteger('exitCode', value, 1, 255);
				break;
			default:
				throw new TypeError(`Unknown option \`${key}\`; expected one of ${Object.keys(DEFAULTS).join(', ')}`);
		}
	}
	current = Object.freeze(next);
	return current;
}
