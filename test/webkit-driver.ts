import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

/*
 * WebKitGTK (JavaScriptCore, Safari's engine) driven through its W3C WebDriver server, WebKitWebDriver, which
 * starts MiniBrowser in automation mode. MiniBrowser (GTK 3) has no headless mode, so the driver runs under
 * xvfb-run. The few classic WebDriver commands the browser test needs are plain HTTP calls: puppeteer-core
 * speaks CDP and WebDriver BiDi only, which WebKitGTK's driver does not.
 */

export const WEBKIT_DRIVER = '/usr/bin/WebKitWebDriver';
export const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
export const XVFB_RUN = '/usr/bin/xvfb-run';

/** What of WebKitGTK's driver is missing here (empty when it can run). */
export function missingWebKit(): string[] {
	return [WEBKIT_DRIVER, MINIBROWSER, XVFB_RUN, '/usr/bin/xauth'].filter((file) => !existsSync(file));
}

/** One browser session. `script` bodies are function bodies, as WebDriver's execute commands take them. */
export interface WebKitSession {
	/** The browser's name and version, as the session reported them. */
	readonly version: string;
	navigate(url: string): Promise<void>;
	/** Runs `script` in the page and returns what it returns (JSON-cloned). */
	execute<T>(script: string, args?: readonly unknown[]): Promise<T>;
	/** Runs `script` in the page and returns what it passes to its last argument, the callback. */
	executeAsync<T>(script: string, args?: readonly unknown[]): Promise<T>;
	/** Ends the session and stops the driver, MiniBrowser and the X server. */
	close(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (free when asked; the driver binds it a moment later). */
async function freePort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.address();
	await new Promise((resolve) => server.close(resolve));
	if (typeof address !== 'object' || address === null) throw new Error('no port');
	return address.port;
}

/** Stops the driver's process group (xvfb-run, Xvfb, WebKitWebDriver, MiniBrowser and its web processes). */
function stop(driver: ChildProcess): void {
	try {
		if (driver.pid !== undefined && driver.exitCode === null) process.kill(-driver.pid, 'SIGTERM');
	} catch {
		// Already gone.
	}
}

/** Starts WebKitWebDriver under xvfb-run and opens a MiniBrowser session. */
export async function startWebKit(): Promise<WebKitSession> {
	const port = await freePort();
	let log = '';
	const driver = spawn(XVFB_RUN, ['-a', WEBKIT_DRIVER, `--port=${port}`], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
	driver.stdout!.on('data', (chunk: Buffer) => void (log += chunk));
	driver.stderr!.on('data', (chunk: Buffer) => void (log += chunk));
	const base = `http://127.0.0.1:${port}`;
	const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
		const response = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
		const reply = (await response.json()) as { value: T & { error?: string; message?: string } };
		if (!response.ok) throw new Error(`WebDriver ${method} ${path}: ${reply.value.error}: ${reply.value.message}`);
		return reply.value;
	};
	try {
		for (let i = 0; ; i++) {
			try {
				await call('GET', '/status');
				break;
			} catch (error) {
				if (i >= 200 || driver.exitCode !== null) throw new Error(`WebKitWebDriver did not start: ${String(error)}\n${log}`);
				await new Promise((resolve) => setTimeout(resolve, 50));
			}
		}
		const session = await call<{ sessionId: string; capabilities: { browserName: string; browserVersion: string } }>('POST', '/session', {
			capabilities: { alwaysMatch: { 'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] } } },
		});
		const at = `/session/${session.sessionId}`;
		return {
			version: `${session.capabilities.browserName} ${session.capabilities.browserVersion}`,
			navigate: async (url) => void (await call('POST', `${at}/url`, { url })),
			execute: (script, args = []) => call('POST', `${at}/execute/sync`, { script, args }),
			executeAsync: (script, args = []) => call('POST', `${at}/execute/async`, { script, args }),
			close: async () => {
				try {
					await call('DELETE', at);
				} finally {
					stop(driver);
				}
			},
		};
	} catch (error) {
		stop(driver);
		throw error;
	}
}
