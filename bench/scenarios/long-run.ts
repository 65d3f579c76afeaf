import type { Row, RunOptions } from '../harness.js';
import { measure } from '../harness.js';
import { measureMemory } from './memory.js';
import { measureObjectMemory } from './object-memory.js';
import { pair } from './pair.js';

/** What the rows of a process that has run long are called: each scenario's name with this after it. */
export const LONG_RUN = ', past 2^31 reference ids and 2^31 ticks';

/*
 * A process that has taken more than 2^31 references and run more than 2^31 ticks (six hours): what reftrace
 * stores is counted from an era (lib/clock.ts), and this is where that is checked. A real run that long
 * is out of reach here, so the process-wide counts are moved on by lib/clock.ts's `skipAhead`, which does
 * to them what six hours at 100,000 references a second would.
 */
interface Clock {
	skipAhead(span: number, ids?: number, ticks?: number): void;
}

/**
 * The memory per live reference and per tracked object, and the pair's time, measured after the counts
 * are past 2^31 (run it in a process of its own: the skip cannot be undone).
 */
export async function measureLongRun(options: RunOptions, repeats: number): Promise<Row[]> {
	// The clock module of the very copy `reftrace` resolves to, so that the skip moves its counts.
	const clock = (await import(new URL('clock.js', import.meta.resolve('reftrace')).href)) as Clock;
	clock.skipAhead(2 ** 29, 2 ** 31 + 1, 2 ** 31 + 1);
	const rows = [...(await measureMemory(repeats)), ...(await measureObjectMemory(repeats)), ...(await measure(pair, options))];
	return rows.map((row) => ({ ...row, scenario: `${row.scenario}${LONG_RUN}` }));
}
