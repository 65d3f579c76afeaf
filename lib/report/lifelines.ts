import { escapeControls } from './escape.js';

/*
 * `reftrace html`: a reftrace trace (Trace Event Format) drawn as one self-contained page: no script, no
 * network, an inline SVG. Each object is a band, each reference a lifeline from its beginning to its end
 * (coloured by how it ended), each move a link from the reference it ends to the one it begins, each
 * violation and leak a mark; hovering anything shows its owner and sites (SVG titles).
 */

type TraceEvent = { readonly [key: string]: unknown };

interface Life {
	readonly ref: number;
	readonly object: string;
	readonly start: number;
	end: number | null;
	ended: string;
	lane: number;
	readonly title: string;
}

/** The trace events a page is drawn from; checked by the caller (`traceEvents` is a list). */
export interface TraceInput {
	readonly traceEvents: readonly TraceEvent[];
}

/** Most lifelines drawn; later ones are counted in a note. */
const MAX_LIVES = 2000;
const LABEL = 200;
const WIDTH = 1000;
const ROW = 14;

const html = (text: string): string => escapeControls(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const args = (event: TraceEvent): Record<string, unknown> => (typeof event['args'] === 'object' && event['args'] !== null ? (event['args'] as Record<string, unknown>) : {});
const text = (value: unknown): string => (typeof value === 'string' ? value : value == null ? '' : JSON.stringify(value));
const COLOURS: Readonly<Record<string, string>> = { released: '#3b6ea8', moved: '#2a9d8f', leaked: '#d62828', open: '#f4a261' };

function lives(events: readonly TraceEvent[]): { lives: Life[]; hidden: number } {
	const byRef = new Map<number, Life>();
	let hidden = 0;
	for (const event of events) {
		const id = event['id'];
		if (event['cat'] !== 'ref' || typeof id !== 'number' || typeof event['ts'] !== 'number') continue;
		const a = args(event);
		if (event['ph'] === 'b') {
			if (byRef.size >= MAX_LIVES) {
				hidden++;
				continue;
			}
			const title = `ref #${id} of ${text(event['name'])}, ${text(a['origin'])} by ${text(a['owner'])} at ${text(a['site']) || 'no site recorded'}`;
			byRef.set(id, { ref: id, object: text(event['name']), start: event['ts'], end: null, ended: 'open', lane: 0, title });
		} else if (event['ph'] === 'e') {
			const life = byRef.get(id);
			if (life === undefined) continue;
			life.end = event['ts'];
			life.ended = typeof a['ended'] === 'string' && a['ended'] in COLOURS ? a['ended'] : 'open';
			if (a['site'] != null) (life as { title: string }).title += `\n${life.ended} at ${text(a['site'])}`;
		}
	}
	return { lives: [...byRef.values()].sort((x, y) => x.start - y.start), hidden };
}

/** Lanes per object: a lifeline takes the first lane of its object free since before it began. */
function layOut(all: Life[], last: number): Map<string, number> {
	const lanes = new Map<string, number[]>();
	for (const life of all) {
		const ends = lanes.get(life.object) ?? [];
		let lane = ends.findIndex((end) => end < life.start);
		if (lane < 0) lane = ends.push(0) - 1;
		ends[lane] = life.end ?? last;
		life.lane = lane;
		lanes.set(life.object, ends);
	}
	return new Map([...lanes].map(([object, ends]) => [object, ends.length]));
}

/**
 * The page for a trace: lifelines per object over time, moves, violations and leaks.
 * @example process.stdout.write(renderLifelines(JSON.parse(readFileSync('trace.json', 'utf8'))));
 */
export function renderLifelines(trace: TraceInput, title: string): string {
	const events = trace.traceEvents;
	const { lives: all, hidden } = lives(events);
	let first = Number.POSITIVE_INFINITY;
	let last = Number.NEGATIVE_INFINITY;
	for (const event of events) {
		const ts = event['ts'];
		if (typeof ts !== 'number') continue;
		first = Math.min(first, ts);
		last = Math.max(last, ts);
	}
	if (first > last) first = last = 0;
	last = Math.max(last, first + 1);
	const laneCounts = layOut(all, last);
	const top = new Map<string, number>();
	let y = 30;
	for (const [object, count] of laneCounts) {
		top.set(object, y);
		y += (count + 1) * ROW;
	}
	const x = (ts: number): number => LABEL + ((ts - first) / (last - first)) * WIDTH;
	const rowOf = new Map(all.map((life) => [life.ref, top.get(life.object)! + (life.lane + 1) * ROW]));
	const parts: string[] = [];
	for (const [object, at] of top) parts.push(`<text class="object" x="4" y="${at + ROW - 3}">${html(object)}</text><line class="band" x1="0" x2="${LABEL + WIDTH}" y1="${at + 2}" y2="${at + 2}"/>`);
	for (const life of all) {
		const row = rowOf.get(life.ref)!;
		const end = Math.max(x(life.end ?? last), x(life.start) + 2);
		parts.push(`<line class="life ${life.ended}" x1="${x(life.start).toFixed(1)}" x2="${end.toFixed(1)}" y1="${row}" y2="${row}"><title>${html(life.title)}</title></line>`);
	}
	for (const event of events) {
		const a = args(event);
		if (event['ph'] === 'f' && typeof a['from'] === 'number' && typeof a['to'] === 'number' && rowOf.has(a['from']) && rowOf.has(a['to']) && typeof event['ts'] === 'number') {
			const at = x(event['ts']).toFixed(1);
			parts.push(`<line class="move" x1="${at}" x2="${at}" y1="${rowOf.get(a['from'])}" y2="${rowOf.get(a['to'])}"><title>${html(text(event['name']))}</title></line>`);
		}
		if (event['cat'] === 'violation' && event['ph'] === 'i' && typeof event['ts'] === 'number') {
			const culprit = (a['culprit'] ?? a['taken'] ?? {}) as Record<string, unknown>;
			const row = rowOf.get(culprit['ref'] as number) ?? (top.get(text(a['object'])) ?? 20) + ROW;
			const earlier = Array.isArray(a['earlier']) ? (a['earlier'] as Record<string, unknown>[]).map((e) => `\n${text(e['title'])}: ${text(e['site'])}`).join('') : '';
			const tip = `${text(a['summary'])}\nat ${text(culprit['site']) || 'no site recorded'}${earlier}`;
			const cx = x(event['ts']).toFixed(1);
			parts.push(`<path class="mark ${html(text(event['name']))}" d="M${cx} ${row - 6} l5 9 h-10 z"><title>${html(tip)}</title></path>`);
		}
	}
	const note = hidden > 0 ? `<p>${hidden} more references are not drawn (the page draws the first ${MAX_LIVES}).</p>` : '';
	const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => `<text class="tick" x="${LABEL + f * WIDTH}" y="14">${(((last - first) * f) / 1000).toFixed(1)} ms</text>`).join('');
	const legend = Object.entries(COLOURS).map(([how, colour]) => `<span style="color:${colour}">━ ${how === 'open' ? 'live at the end' : how}</span>`).join(' ');
	return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${html(title)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>
body { font: 13px system-ui, sans-serif; margin: 16px; background: #fff; color: #222; }
svg { display: block; }
.object { font-weight: 600; font-size: 12px; }
.tick { font-size: 11px; fill: #666; text-anchor: middle; }
.band { stroke: #ddd; }
.life { stroke-width: 6; stroke-linecap: butt; }
${Object.entries(COLOURS).map(([how, colour]) => `.life.${how} { stroke: ${colour}; }`).join('\n')}
.move { stroke: #2a9d8f; stroke-width: 2; stroke-dasharray: 3 2; }
.mark { fill: #d62828; stroke: #000; stroke-width: 0.5; }
.mark.leak { fill: #ffb703; }
</style></head><body>
<h1>${html(title)}</h1>
<p>${all.length} references of ${laneCounts.size} objects over ${((last - first) / 1000).toFixed(1)} ms. ${legend}; ▲ violation, <span style="color:#ffb703">▲</span> leak. Hover for owners and sites.</p>
${note}<svg id="lifelines" xmlns="http://www.w3.org/2000/svg" width="${LABEL + WIDTH + 40}" height="${y + 10}">${ticks}${parts.join('')}</svg>
</body></html>
`;
}
