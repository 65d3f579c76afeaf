/** One of the targets, evaluated on one run. */
export interface Target {
	readonly what: string;
	/** The measured ratio or value, and the limit it must not exceed (or, with `atLeast`, must reach). */
	readonly value: number | null;
	readonly limit: number;
	readonly unit: string;
	readonly atLeast?: boolean;
}

/** Whether a target was met; a value that could not be measured is not. */
export function met(t: Target): boolean {
	return t.value !== null && (t.atLeast === true ? t.value >= t.limit : t.value <= t.limit);
}
