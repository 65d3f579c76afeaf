import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { configure, type Ref, track } from 'reftrace';
import { SERVICE_VARIANTS, type ServerReport, type ServiceVariant } from './protocol.js';

/*
 * The service the service benchmark loads: each request checks a connection out of a pool of 16, and a
 * repository and a cache each take a reference that is held across awaits and a setImmediate, all given back
 * in `finally`. Run as its own process (forked by bench/scenarios/service.ts), one per variant per round; the
 * variant is its first argument. It talks to its parent over IPC: `ready` with its port, then `reset` and
 * `report` (CPU since reset, requests served, full-GC heap samples and the longest GC pause).
 */

/** A taken reference and how to give it back: reftrace's Ref, or a plain counted object. */
interface Handle<T> {
	readonly value: T;
	release(): void;
}
type Taker<T> = (owner: string) => Handle<T>;

/** `count++` / `count--` on a plain object: the baseline. */
class Counted<T> {
	count = 1;
	constructor(readonly value: T) {}
	release(): void {
		this.count--;
	}
}

function plain<T>(value: T): Taker<T> {
	const counted = new Counted(value);
	return () => {
		counted.count++;
		return counted;
	};
}

function tracked<T extends object>(value: T, name: string): Taker<T> {
	const root: Ref<T> = track(value, { name, owner: 'service' });
	return (owner) => root.acquire(owner);
}

class Connection {
	queries = 0;
	constructor(readonly id: number) {}
}

const variant = SERVICE_VARIANTS[process.argv[2] as keyof typeof SERVICE_VARIANTS] as ServiceVariant | undefined;
if (variant === undefined) throw new Error(`unknown service variant ${process.argv[2]}`);
if (variant.mode !== null) configure({ mode: variant.mode, sample: variant.sample, gcLeaks: variant.gcLeaks, exitReport: false });
const take = <T extends object>(value: T, name: string): Taker<T> => (variant.mode === null ? plain(value) : tracked(value, name));

/** A pool of 16 tracked connections; a request waits when all are out. */
const connections = Array.from({ length: 16 }, (_, i) => take(new Connection(i), 'Connection'));
const free = connections.map((_, i) => i);
const waiting: ((index: number) => void)[] = [];

async function checkout(): Promise<{ index: number; conn: Handle<Connection> }> {
	const index = free.pop() ?? (await new Promise<number>((resolve) => waiting.push(resolve)));
	return { index, conn: connections[index]!('request') };
}

function checkin(index: number, conn: Handle<Connection>): void {
	conn.release();
	const next = waiting.shift();
	if (next !== undefined) next(index);
	else free.push(index);
}

const repository = take({ rows: new Map<number, string>(Array.from({ length: 64 }, (_, i) => [i, `row ${i}`])) }, 'Repository');
const cache = take({ hits: 0 }, 'Cache');
let served = 0;

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
	const { index, conn } = await checkout();
	let rows: Handle<{ rows: Map<number, string> }> | undefined;
	let cached: Handle<{ hits: number }> | undefined;
	let body: string;
	try {
		rows = repository('repository');
		await Promise.resolve();
		cached = cache('cache');
		await new Promise((resolve) => setImmediate(resolve));
		conn.value.queries++;
		cached.value.hits++;
		body = `${rows.value.rows.get(served % 64)} via connection ${conn.value.id} for ${request.url}\n`;
	} finally {
		cached?.release();
		rows?.release();
		checkin(index, conn);
	}
	served++;
	response.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
	response.end(body);
}

/** Heap used outside the young generation: what a full collection left, without what was allocated since. */
function oldGenerationUsed(): number {
	let used = 0;
	for (const space of getHeapSpaceStatistics()) if (!space.space_name.startsWith('new_')) used += space.space_used_size;
	return used;
}

// Heap after each full collection and the longest pause (forced collections, made by the soak at its two
// measuring points, are left out of the pauses).
const fullGcHeaps: number[] = [];
let longestPause = 0;
new PerformanceObserver((list) => {
	for (const entry of list.getEntries()) {
		const detail = (entry as { detail?: { kind: number; flags: number } }).detail;
		if (detail === undefined || (detail.flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) !== 0) continue;
		longestPause = Math.max(longestPause, entry.duration);
		if (detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) fullGcHeaps.push(oldGenerationUsed());
	}
}).observe({ entryTypes: ['gc'] });

let cpuSince = process.cpuUsage();
let servedSince = 0;
declare const gc: (() => void) | undefined;

function heapAfterFullGc(): number | null {
	if (typeof gc !== 'function') return null;
	gc();
	return oldGenerationUsed();
}

const server = createServer((request, response) => void handle(request, response));
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
	const address = server.address();
	process.send!({ type: 'ready', port: typeof address === 'object' && address !== null ? address.port : 0 });
});
process.on('message', (message: { type: string }) => {
	if (message.type === 'reset') {
		cpuSince = process.cpuUsage();
		servedSince = served;
		fullGcHeaps.length = 0;
		longestPause = 0;
		process.send!({ type: 'reset', heap: heapAfterFullGc() });
	} else if (message.type === 'report') {
		const cpu = process.cpuUsage(cpuSince);
		const report: ServerReport = {
			type: 'report',
			requests: served - servedSince,
			cpuMicroseconds: cpu.user + cpu.system,
			fullGcHeaps: [...fullGcHeaps],
			longestPause,
			heap: heapAfterFullGc(),
		};
		process.send!(report);
	}
});
process.on('disconnect', () => process.exit(0));
