import type { LeakData, RefEvent, ViolationData } from '../data.js';
import { CULPRIT, heading, heldBy, NOTE, TAKEN } from '../wording.js';
import { escapeReport } from './escape.js';
import { clip, formatAge, stackLine } from './format.js';
import { renderLeakGroups } from './leak-report.js';
import type { Paint } from './paint.js';
import { reportSignatures, signatureText } from './signature.js';

/**
 * Lines for one event: a heading, the site as `file:line - source`, then the rest of the stack.
 * `when` says how long before the culprit it happened (null for the culprit itself).
 */
function renderEvent(title: string, event: RefEvent, when: number | null, paint: Paint, note: string | null): string[] {
	const age = when === null ? '' : `, ${formatAge(when)} earlier`;
	const lines = [`  ${paint.bold(title)} (${heldBy(event.ref, paint.cyan(event.owner))}, pid ${event.pid}, thread ${event.threadId}${age})`];
	if (event.site === null) {
		lines.push(paint.dim(`    ${note ?? NOTE.none}`));
		return lines;
	}
	lines.push(`    ${paint.yellow(event.site)}${event.source === null ? '' : ` - ${clip(event.source)}`}`);
	for (const frame of event.stack) lines.push(stackLine(frame, paint));
	return lines;
}

function renderMisuse(data: ViolationData, paint: Paint): string[] {
	const { culprit } = data;
	const lines = [`${paint.red(paint.bold(heading(data.kind)))} ${data.summary}`];
	lines.push(...renderEvent(CULPRIT[culprit.op] ?? culprit.op, culprit, null, paint, NOTE.none));
	for (const prior of data.earlier) {
		lines.push(...renderEvent(prior.title, prior.event, culprit.time - prior.event.time, paint, data.note));
	}
	if (data.earlier.length === 0 && data.note !== null) lines.push(paint.dim(`  ${data.note}`));
	if (data.detail !== null) lines.push(...data.detail.split('\n').map((line) => `  ${line}`));
	lines.push(paint.dim(`  ${data.object} count is ${data.count}.`));
	return lines;
}

function renderLeak(data: LeakData, paint: Paint): string[] {
	const first = `${paint.red(paint.bold(heading('leak')))} ${data.summary}`;
	if (data.taken === null) return renderLeakGroups(data.leaks, first, paint);
	const { taken } = data;
	const title = taken.op === 'track' || taken.op === 'move' || taken.op === 'try-acquire' ? TAKEN[taken.op] : TAKEN.acquire;
	return [first, ...renderEvent(title, taken, null, paint, data.note ?? NOTE.none)];
}

/**
 * The data of a violation as a plain object. The errors that carry it keep some fields non-enumerable, and
 * V8 formats an error's stack heading on an object that inherits them; escaping walks own fields only.
 */
function plainData(data: ViolationData | LeakData): ViolationData | LeakData {
	// `leaks` is left out of the walk: renderLeakGroups escapes what it prints of it, not the whole snapshot.
	if (data.kind === 'leak') return { kind: data.kind, found: data.found, summary: data.summary, taken: data.taken, note: data.note ?? null } as LeakData;
	const { kind, object, summary, culprit, earlier, count, note, detail } = data;
	return { kind, object, summary, culprit, earlier, count, note, detail };
}

/** The report of one violation as printed, control characters escaped; its plain form is the error's message. */
export function renderViolation(raw: ViolationData | LeakData, paint: Paint): string {
	const data = escapeReport(plainData(raw));
	const lines = data.kind === 'leak' ? renderLeak({ ...data, leaks: (raw as LeakData).leaks }, paint) : renderMisuse(data, paint);
	// A checked scope's leak groups carry their signatures already, one per site.
	if (data.kind !== 'leak' || data.taken !== null) lines.push(...reportSignatures(raw).map((signature) => `  ${signatureText(signature)}`));
	return lines.join('\n');
}
