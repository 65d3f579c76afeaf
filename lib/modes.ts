import type { RefTraceError } from './violations.js';

/**
 * How much each tracked object records.
 * - `off`: counts, states and `onZero` only; every misuse is still caught, without history.
 * - `list`: plus a live list of references and a quarantine of ended ones (owners and times, no stacks).
 * - `full`: plus a call-site stack for every event.
 */
export type Mode = 'off' | 'list' | 'full';

/** What happens at a violation: print a report and go on, throw from the offending call, or call back. */
export type ViolationPolicy = 'report' | 'throw' | ((error: RefTraceError) => void);

/** The settings in force; `configure` changes them for objects tracked afterwards. */
export interface Settings {
	readonly mode: Mode;
	readonly onViolation: ViolationPolicy;
	/** Frames kept per recorded stack, 1–64 (default 10). */
	readonly stackDepth: number;
	/** Ended references remembered per object for later reports, 0–1024 (default 16). */
	readonly quarantine: number;
}

/** Options accepted by `configure`; each one left out keeps its current value. */
export type ConfigureOptions = { readonly [K in keyof Settings]?: Settings[K] | undefined };

export const MODES: readonly Mode[] = ['off', 'list', 'full'];
const POLICIES = ['report', 'throw'] as const;

function warn(message: string): void {
	process.emitWarning(message, { code: 'REFTRACE_ENV' });
}

function fromEnvironment(): Settings {
	const env = process.env;
	let mode: Mode = 'full';
	let onViolation: ViolationPolicy = 'report';
	const rawMode = env['REFTRACE'];
	if (rawMode !== undefined && rawMode !== '') {
		if ((MODES as readonly string[]).includes(rawMode)) mode = rawMode as Mode;
		else warn(`Ignoring REFTRACE=${JSON.stringify(rawMode)}: expected one of ${MODES.join(', ')}; using full`);
	}
	const rawPolicy = env['REFTRACE_ON_VIOLATION'];
	if (rawPolicy !== undefined && rawPolicy !== '') {
		if ((POLICIES as readonly string[]).includes(rawPolicy)) onViolation = rawPolicy as 'report' | 'throw';
		else warn(`Ignoring REFTRACE_ON_VIOLATION=${JSON.stringify(rawPolicy)}: expected one of ${POLICIES.join(', ')}; using report`);
	}
	return { mode, onViolation, stackDepth: 10, quarantine: 16 };
}

let current: Settings = fromEnvironment();

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
	const next: { -readonly [K in keyof Settings]: Settings[K] } = { ...current };
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
				next.stackDepth = checkInteger('stackDepth', value, 1, 64);
				break;
			case 'quarantine':
				next.quarantine = checkInteger('quarantine', value, 0, 1024);
				break;
			default:
				throw new TypeError(`Unknown option \`${key}\`; expected mode, onViolation, stackDepth or quarantine`);
		}
	}
	current = Object.freeze(next);
	return current;
}
