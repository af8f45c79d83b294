/**
 * tools/scripts/lint-workflows.mjs on the shipped examples and on broken copies of them: each rule
 * the README promises about the examples fails lint when an example breaks it.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

type Json = Record<string, any>;

/** Runs the examples' lint on a copy of examples/ changed by `change`; its exit code and what it printed. */
function lintCopy(
	change: (read: (file: string) => Json, write: (file: string, workflow: Json) => void) => void,
): { code: number; output: string } {
	const folder = mkdtempSync(join(tmpdir(), 'lint-examples-'));
	try {
		cpSync(join(ROOT, 'examples'), folder, { recursive: true });
		change(
			(file) => JSON.parse(readFileSync(join(folder, file), 'utf8')),
			(file, workflow) => writeFileSync(join(folder, file), JSON.stringify(workflow)),
		);
		try {
			const output = execFileSync(
				process.execPath,
				[
					join(ROOT, 'tools', 'scripts', 'lint-workflows.mjs'),
					'--examples',
					folder,
					'--examples-only',
				],
				{ cwd: ROOT, encoding: 'utf8', stdio: 'pipe' },
			);
			return { code: 0, output };
		} catch (error) {
			const failed = error as { status: number; stdout: string; stderr: string };
			return { code: failed.status, output: `${failed.stdout}${failed.stderr}` };
		}
	} finally {
		rmSync(folder, { recursive: true, force: true });
	}
}

const node = (workflow: Json, name: string) => workflow.nodes.find((n: Json) => n.name === name);

describe('lint-workflows: the examples', () => {
	it('passes the shipped examples', () => {
		const result = lintCopy(() => undefined);
		expect(result.output).toMatch(/5 n8n examples, 0 findings/);
		expect(result.code).toBe(0);
	});

	it('fails an example without a sticky note', () => {
		const result = lintCopy((read, write) => {
			const workflow = read('rotation-recovery.json');
			write('rotation-recovery.json', {
				...workflow,
				nodes: workflow.nodes.filter((n: Json) => n.type !== 'n8n-nodes-base.stickyNote'),
			});
		});
		expect(result.code).toBe(1);
		expect(result.output).toMatch(/rotation-recovery\.json: no sticky note/);
	});

	it.each([
		['saveDataErrorExecution', 'all'],
		['saveManualExecutions', true],
		['saveDataSuccessExecution', 'all'],
		['saveExecutionProgress', true],
		['redactionPolicy', undefined],
	])('fails an example whose settings have %s = %p', (setting, value) => {
		const result = lintCopy((read, write) => {
			const workflow = read('hr-onboarding.json');
			write('hr-onboarding.json', {
				...workflow,
				settings: { ...workflow.settings, [setting]: value },
			});
		});
		expect(result.code).toBe(1);
		expect(result.output).toContain(`hr-onboarding.json: settings.${setting}`);
	});

	it('fails a set step reached before the mail (set first, then deliver)', () => {
		const result = lintCopy((read, write) => {
			const workflow = read('ticket-sip-reset.json');
			workflow.connections['Prepare the new password'].main[0] = [
				{ node: 'Set the delivered password', type: 'main', index: 0 },
			];
			write('ticket-sip-reset.json', workflow);
		});
		expect(result.code).toBe(1);
		expect(result.output).toMatch(
			/node "Set the delivered password": sets a generated password that was not delivered first \(reached from "Prepare the new password" output 0\)/,
		);
	});

	it('fails a set step fed by Send Email’s error output', () => {
		const result = lintCopy((read, write) => {
			const workflow = read('quarterly-rotation.json');
			workflow.connections['Email each agent'].main[1].push({
				node: 'Set the delivered passwords',
				type: 'main',
				index: 0,
			});
			write('quarterly-rotation.json', workflow);
		});
		expect(result.output).toMatch(/"Email each agent" output 1/);
		expect(result.code).toBe(1);
	});

	it('fails prepared passwords that can reach no Send Email node', () => {
		const result = lintCopy((read, write) => {
			const workflow = read('coworker-added.json');
			workflow.connections['Has an email?'].main[1] = [];
			write('coworker-added.json', workflow);
		});
		expect(result.code).toBe(1);
		expect(result.output).toMatch(
			/node "Prepare the first password": a path ends at "Has an email\?" without passing a Send Email node/,
		);
	});

	it('fails Rotate without Execute Once, a webhook without authentication, and Retry On Fail on the re-run', () => {
		const result = lintCopy((read, write) => {
			const rotation = read('quarterly-rotation.json');
			delete node(rotation, 'Prepare the new passwords').executeOnce;
			write('quarterly-rotation.json', rotation);
			const ticket = read('ticket-sip-reset.json');
			node(ticket, 'Ticket: reset my softphone').parameters.authentication = 'none';
			write('ticket-sip-reset.json', ticket);
			const recovery = read('rotation-recovery.json');
			Object.assign(node(recovery, 'Run the rotation again'), { retryOnFail: true, maxTries: 3 });
			write('rotation-recovery.json', recovery);
		});
		expect(result.code).toBe(1);
		expect(result.output).toMatch(
			/"Prepare the new passwords": Rotate SIP Passwords without Execute Once/,
		);
		expect(result.output).toMatch(
			/"Ticket: reset my softphone": a webhook that does not authenticate its caller/,
		);
		expect(result.output).toMatch(/"Run the rotation again": Retry On Fail on Execute Workflow/);
	});

	it('fails a generated password without a Rotation ID', () => {
		const result = lintCopy((read, write) => {
			const workflow = read('ticket-sip-reset.json');
			node(workflow, 'Prepare the new password').parameters.rotationId = '';
			write('ticket-sip-reset.json', workflow);
		});
		expect(result.code).toBe(1);
		expect(result.output).toMatch(
			/"Prepare the new password": generates a password without a Rotation ID/,
		);
	});
});
