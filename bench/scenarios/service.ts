import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Row, ServiceRound, SoakResult } from '../harness.js';
import { type LoadReport, type ServerReport, SERVICE_VARIANTS, type ServiceVariantName } from '../service/protocol.js';

export const SERVICE_SCENARIO = 'service: node:http, 16 keep-alive connections, 3 references per request held across awaits';
export const SOAK_SCENARIO = 'soak: the same service under load, heap after full collections and GC pauses';

const serverScript = fileURLToPath(new URL('../service/server.js', import.meta.url));
const loadScript = fileURLToPath(new URL('../service/load.js', import.meta.url));
const MAX_REQUESTS = 2_000_000;

interface Server {
	readonly child: ChildProcess;
	readonly port: number;
	ask<T>(type: 'reset' | 'report'): Promise<T>;
}

function next<T>(child: ChildProcess, type: string): Promise<T> {
	return new Promise((resolve, reject) => {
		const onMessage = (message: { type?: string }): void => {
			if (message.type !== type) return;
			child.off('message', onMessage);
			child.off('exit', onExit);
			resolve(message as T);
		};
		const onExit = (code: number | null): void => reject(new Error(`service process exited (${code}) while waiting for '${type}'`));
		child.on('message', onMessage);
		child.once('exit', onExit);
	});
}

/** A fresh server process for one variant. */
async function startServer(variant: ServiceVariantName): Promise<Server> {
	const child = fork(serverScript, [variant], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
	const { port } = await next<{ port: number }>(child, 'ready');
	return {
		child,
		port,
		ask: (type) => {
			const answer = next<never>(child, type);
			child.send({ type });
			return answer;
		},
	};
}

async function stopServer(server: Server): Promise<void> {
	const exited = new Promise((resolve) => server.child.once('exit', resolve));
	server.child.disconnect();
	await exited;
}

/** Runs the load generator in its own process against `port` for `seconds`. */
function load(port: number, seconds: number): Promise<LoadReport> {
	const child = fork(loadScript, [String(port), String(seconds), String(MAX_REQUESTS)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
	return new Promise((resolve, reject) => {
		child.once('message', (report) => resolve(report as LoadReport));
		child.once('exit', (code) => reject(new Error(`load generator exited (${code}) without a report`)));
	});
}

function check(report: LoadReport, variant: string): void {
	if (report.errors > 0 || report.requests === 0) throw new Error(`service ${variant}: ${report.errors} failed requests, ${report.requests} answered`);
}

/** One variant, one round: a fresh server, `warm` seconds of load, then `seconds` measured. */
async function measureOnce(variant: ServiceVariantName, warm: number, seconds: number): Promise<ServiceRound> {
	const server = await startServer(variant);
	try {
		check(await load(server.port, warm), variant);
		await server.ask('reset');
		const client = await load(server.port, seconds);
		check(client, variant);
		const own = await server.ask<ServerReport>('report');
		return { requestsPerSecond: client.requests / client.seconds, cpuPerRequest: own.cpuMicroseconds / own.requests, p50: client.p50, p99: client.p99 };
	} finally {
		await stopServer(server);
	}
}

/**
 * The service benchmark: every variant once per round, in a rotated order, each in a fresh server process,
 * so that ratios to `counter` are taken between runs a few seconds apart.
 */
export async function measureService(rounds: number, warm: number, seconds: number): Promise<Row[]> {
	const names = Object.keys(SERVICE_VARIANTS) as ServiceVariantName[];
	const perRound = new Map<ServiceVariantName, ServiceRound[]>(names.map((n) => [n, []]));
	for (let round = 0; round < rounds; round++) {
		for (let i = 0; i < names.length; i++) {
			const name = names[(i + round) % names.length]!;
			process.stderr.write(`  service round ${round + 1}/${rounds}: ${name}\n`);
			perRound.get(name)!.push(await measureOnce(name, warm, seconds));
		}
	}
	return names.map((name) => {
		const service = perRound.get(name)!;
		return { scenario: SERVICE_SCENARIO, variant: name, nsPerOp: null, ratio: null, samples: service.map((r) => r.requestsPerSecond), service };
	});
}

/** The soak: one server per variant under load for `warm` + `seconds`; the heap after a forced full collection at both ends and after every full collection between. */
export async function measureSoak(variants: readonly ServiceVariantName[], warm: number, seconds: number): Promise<Row[]> {
	const rows: Row[] = [];
	for (const name of variants) {
		process.stderr.write(`  soak: ${name} for ${warm + seconds} s\n`);
		const server = await startServer(name);
		try {
			check(await load(server.port, warm), name);
			const { heap: afterWarmUp } = await server.ask<{ heap: number }>('reset');
			const client = await load(server.port, seconds);
			check(client, name);
			const own = await server.ask<ServerReport>('report');
			const soak: SoakResult = {
				seconds: client.seconds,
				requestsPerSecond: client.requests / client.seconds,
				heapAfterWarmUp: afterWarmUp,
				heapAtEnd: own.heap!,
				fullGcHeaps: own.fullGcHeaps,
				longestPause: own.longestPause,
				slowestRequest: client.max,
			};
			rows.push({ scenario: SOAK_SCENARIO, variant: name, nsPerOp: null, ratio: null, samples: [], soak });
		} finally {
			await stopServer(server);
		}
	}
	return rows;
}
