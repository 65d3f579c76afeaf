import { Agent, request } from 'node:http';
import type { LoadReport } from './protocol.js';

/*
 * The load generator of the service benchmark, in its own process: 16 keep-alive connections to the server
 * at 127.0.0.1:<port>, each sending its next request when the last one is answered, until `seconds` pass
 * or `maxRequests` are answered. Arguments: port, seconds, maxRequests. Sends a LoadReport to its parent.
 */
const [port, seconds, maxRequests] = process.argv.slice(2).map(Number) as [number, number, number];
const CONNECTIONS = 16;
const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
const latencies = new Float64Array(maxRequests);
let answered = 0;
let errors = 0;
const start = performance.now();
const deadline = start + seconds * 1000;

function get(path: string): Promise<void> {
	return new Promise((resolve) => {
		const sent = performance.now();
		const req = request({ host: '127.0.0.1', port, path, agent }, (response) => {
			response.resume();
			response.on('end', () => {
				// Answers that come in after the cap (the other connections' requests in flight) are not counted.
				if (response.statusCode !== 200) errors++;
				else if (answered < maxRequests) latencies[answered++] = performance.now() - sent;
				resolve();
			});
		});
		req.on('error', () => {
			errors++;
			resolve();
		});
		req.end();
	});
}

async function connection(id: number): Promise<void> {
	for (let i = 0; performance.now() < deadline && answered < maxRequests && errors < 100; i++) await get(`/item/${id}/${i}`);
}

await Promise.all(Array.from({ length: CONNECTIONS }, (_, id) => connection(id)));
const elapsed = (performance.now() - start) / 1000;
const sorted = latencies.subarray(0, answered).sort();
const at = (q: number): number => (answered === 0 ? Number.NaN : sorted[Math.min(answered - 1, Math.floor(q * answered))]!);
const report: LoadReport = { requests: answered, errors, seconds: elapsed, p50: at(0.5), p99: at(0.99), max: at(1) };
agent.destroy();
process.send!(report, () => process.exit(0));
