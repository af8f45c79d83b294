import { TerminalLog } from '../../../../tools/dev/n8n/terminalLog';

/** What n8n 2.41.1 printed, after it was ready, for a failed manual execution of the node. */
const FAILED_RUN = `ExotelError
ExotelError
    at ExotelClient.error (/work/nodes/ExotelUsers/transport/client.ts:272:17)
    at ExotelClient.request (/work/nodes/ExotelUsers/transport/client.ts:149:36)
    at processTicksAndRejections (node:internal/process/task_queues:104:5)
    at /work/nodes/ExotelUsers/actions/router.ts:65:20

`;

function shown(...chunks: string[]): string[] {
	const lines: string[] = [];
	const log = new TerminalLog('.n8n-sandbox/.n8n/logs/n8n.log', (line) => lines.push(line));
	for (const chunk of chunks) log.push(chunk);
	log.flush();
	return lines;
}

describe('npm start: n8n’s terminal output', () => {
	it('shows a failed execution as one line saying where its error and the full trace are', () => {
		expect(shown(FAILED_RUN)).toEqual([
			"an execution failed: its error is in the editor (the node's output, or Overview → Executions); the full trace is in .n8n-sandbox/.n8n/logs/n8n.log",
		]);
	});

	it('passes other lines on, keeps an error’s message line, and copes with lines split across chunks', () => {
		expect(
			shown(
				'Editor is now accessi',
				'ble via:\nhttp://localhost:5678\n',
				'Error: disk full\n    at write (fs.js:1:1)\n',
				'Shutting down',
			),
		).toEqual([
			'Editor is now accessible via:',
			'http://localhost:5678',
			'Error: disk full',
			"an execution failed: its error is in the editor (the node's output, or Overview → Executions); the full trace is in .n8n-sandbox/.n8n/logs/n8n.log",
			'Shutting down',
		]);
	});
});
