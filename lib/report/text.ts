import type { RefEvent } from '../events.js';
import type { Paint } from '../paint.js';
import type { ViolationData } from '../violations.js';

/** Milliseconds as a person reads them: `840 µs`, `12.5 ms`, `3.2 s`, `4 min`. */
export function formatAge(ms: number): string {
	if (ms < 1) return `${Math.round(ms * 1000)} µs`;
	if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
	if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
	return `${Math.round(ms / 60_000)} min`;
}

/** One stack line as printed, indented; the folded `… N frames in dependencies` line has no `at`. */
export function stackLine(frame: string, paint: Paint): string {
	return paint.dim(frame.startsWith('…') ? `      ${frame}` : `      at ${frame}`);
}

function clip(text: string): string {
	return text.length <= 100 ? text : `${text.slice(0, 99)}…`;
}

/**
 * Lines for one event: a heading, the site as `file:line - source`, then the rest of the stack.
 * `when` says how long before the culprit it happened (null for the culprit itself).
 */
export function renderEvent(title: string, event: RefEvent, when: number | null, paint: Paint, note: string | null): string[] {
	const age = when === null ? '' : `, ${formatAge(when)} earlier`;
	const lines = [`  ${paint.bold(title)} ${paint.cyan(event.owner)} (ref #${event.ref}, pid ${event.pid}, thread ${event.threadId}${age})`];
	if (event.site === null) {
		lines.push(paint.dim(`    ${note ?? 'no stack recorded'}`));
		return lines;
	}
	lines.push(`    ${paint.yellow(event.site)}${event.source === null ? '' : ` - ${clip(event.source)}`}`);
	for (const frame of event.stack) lines.push(stackLine(frame, paint));
	return lines;
}

const CULPRIT_TITLE: Record<string, string> = {
	release: 'released here by',
	dispose: 'disposed here by',
	use: '.value read here by',
	acquire: 'acquire called here by',
	move: 'move called here by',
};

/** The report printed (and used as the error message) for one violation. */
export function renderViolation(data: ViolationData, paint: Paint): string {
	const { culprit } = data;
	const lines = [`${paint.red(paint.bold(`reftrace: ${data.kind}:`))} ${data.summary}`];
	lines.push(...renderEvent(CULPRIT_TITLE[culprit.op] ?? culprit.op, culprit, null, paint, 'no stack recorded'));
	for (const prior of data.earlier) {
		lines.push(...renderEvent(prior.title, prior.event, culprit.time - prior.event.time, paint, data.note));
	}
	if (data.earlier.length === 0 && data.note !== null) lines.push(paint.dim(`  ${data.note}`));
	if (data.detail !== null) lines.push(...data.detail.split('\n').map((line) => `  ${line}`));
	lines.push(paint.dim(`  ${data.object} count is ${data.count}.`));
	return lines.join('\n');
}
