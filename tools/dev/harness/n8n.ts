/**
 * Runs an n8n node's `execute()` through n8n-core's REAL request stack
 * (ExecuteContext -> helpers.httpRequestWithAuthentication -> OutboundHttp -> axios),
 * with no n8n server and no database.
 *
 * Only two things are test doubles:
 *   - InstanceSettings in the DI container (the real one reads/writes ~/.n8n/config);
 *   - the credentials helper (the real one lives in n8n's CLI and reads the DB). It does
 *     what the CLI's CredentialsHelper does: applies the credential class's declared
 *     `authenticate` (generic properties resolved with the workflow's own expression
 *     engine, or the class's authenticate function).
 * Everything after `authenticate` (n8n's outbound HTTP service, axios, NodeApiError
 * wrapping) is n8n-core's own code.
 */
import { Container } from '@n8n/di';
import { ExecuteContext, InstanceSettings, PollContext } from 'n8n-core';
import {
	ICredentialsHelper,
	NodeHelpers,
	Workflow,
	createRunExecutionData,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type ICredentials,
	type IExecuteData,
	type IHttpRequestOptions,
	type INode,
	type INodeCredentialsDetails,
	type INodeExecutionData,
	type INodeProperties,
	type INodeType,
	type INodeTypes,
	type IRequestOptionsSimplified,
	type ITaskDataConnections,
	type IVersionedNodeType,
	type IWorkflowExecuteAdditionalData,
	type IDataObject,
	type INodeParameters,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

// ---------------------------------------------------------------------------
// DI: InstanceSettings stub. Must be registered before any NodeExecutionContext is
// constructed (its constructor does Container.get(InstanceSettings)). Registering it
// at module load means importing this harness is enough. The real class would create
// ~/.n8n/config (or $N8N_USER_FOLDER/.n8n/config).
// ---------------------------------------------------------------------------
const instanceSettingsStub = {
	instanceId: 'harness-instance-id',
	hostId: 'main-harness',
	instanceType: 'main',
	hmacSignatureSecret: 'harness-hmac-secret',
	encryptionKey: 'harness-encryption-key',
	n8nFolder: '/nonexistent/harness/.n8n',
	isDocker: false,
	isWorker: false,
	isMultiMain: false,
	isSingleMain: true,
	isLeader: true,
} as unknown as InstanceSettings;
Container.set(InstanceSettings, instanceSettingsStub);

// ---------------------------------------------------------------------------
// Node types provider
// ---------------------------------------------------------------------------
class HarnessNodeTypes implements INodeTypes {
	constructor(private readonly types: Record<string, INodeType | IVersionedNodeType>) {}

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		const t = this.types[nodeType];
		if (!t) throw new Error(`harness: unknown node type ${nodeType}`);
		return t;
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(nodeType), version);
	}

	getKnownTypes(): IDataObject {
		return {};
	}
}

// ---------------------------------------------------------------------------
// Credentials helper
// ---------------------------------------------------------------------------
export interface CredentialsHelperCalls {
	getDecrypted: number;
	preAuthentication: Array<{ typeName: string; credentialsExpired: boolean }>;
	authenticate: number;
}

function isExpression(v: unknown): v is string {
	return typeof v === 'string' && v.charAt(0) === '=';
}

export class HarnessCredentialsHelper extends ICredentialsHelper {
	readonly calls: CredentialsHelperCalls = {
		getDecrypted: 0,
		preAuthentication: [],
		authenticate: 0,
	};

	constructor(
		private readonly credentialTypes: Record<string, ICredentialType>,
		private readonly credentialData: Record<string, ICredentialDataDecryptedObject>,
	) {
		super();
	}

	private type(name: string): ICredentialType {
		const t = this.credentialTypes[name];
		if (!t) throw new Error(`harness: unknown credential type ${name}`);
		return t;
	}

	getParentTypes(name: string): string[] {
		const t = this.credentialTypes[name];
		if (!t?.extends) return [];
		const out: string[] = [];
		for (const parent of t.extends) out.push(parent, ...this.getParentTypes(parent));
		return out;
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	/** Same algorithm as n8n CLI's CredentialsHelper.authenticate / resolveValue. */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		incomingRequestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		this.calls.authenticate++;
		const requestOptions = incomingRequestOptions as IHttpRequestOptions;
		const { authenticate } = this.type(typeName);
		if (!authenticate) return requestOptions;
		if (typeof authenticate === 'function') {
			return await authenticate(credentials, requestOptions);
		}
		if (!workflow || !node) throw new Error('harness: workflow and node required');
		const resolve = (value: string): string => {
			if (!isExpression(value)) return value;
			const v = workflow.expression.getSimpleParameterValue(
				node,
				value,
				'internal',
				{ $credentials: credentials },
				undefined,
				'',
			);
			return v ? String(v) : '';
		};
		requestOptions.headers ??= {};
		if (authenticate.type === 'generic') {
			const target = requestOptions as unknown as Record<string, Record<string, string>>;
			for (const [outerKey, outerValue] of Object.entries(authenticate.properties)) {
				for (const [key, value] of Object.entries(outerValue as Record<string, string>)) {
					target[outerKey] ??= {};
					target[outerKey][resolve(key)] = resolve(value);
				}
			}
		}
		return requestOptions;
	}

	async preAuthentication(
		_helpers: unknown,
		_credentials: ICredentialDataDecryptedObject,
		typeName: string,
		_node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		this.calls.preAuthentication.push({ typeName, credentialsExpired });
		return undefined;
	}

	async runPreAuthentication(): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async getCredentials(
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentials> {
		throw new Error(`harness: getCredentials(${type}) is not supported`);
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		this.calls.getDecrypted++;
		const data = this.credentialData[type];
		if (!data) throw new Error(`harness: no credentials of type ${type}`);
		return structuredClone(data); // a fresh object per call, as the real one decrypts anew
	}

	async updateCredentials(): Promise<void> {}

	async updateCredentialsOauthTokenData(): Promise<void> {}

	getCredentialsProperties(type: string): INodeProperties[] {
		return this.type(type).properties;
	}
}

// ---------------------------------------------------------------------------
// additionalData
// ---------------------------------------------------------------------------
function buildAdditionalData(
	credentialsHelper: ICredentialsHelper,
): IWorkflowExecuteAdditionalData {
	const base = 'http://127.0.0.1:5678';
	const additionalData: Partial<IWorkflowExecuteAdditionalData> = {
		credentialsHelper,
		executionId: 'harness-execution-1',
		currentNodeExecutionIndex: 0,
		restApiUrl: `${base}/rest`,
		instanceBaseUrl: `${base}/`,
		formBaseUrl: `${base}/form`,
		formWaitingBaseUrl: `${base}/form-waiting`,
		formTestBaseUrl: `${base}/form-test`,
		webhookBaseUrl: `${base}/webhook`,
		webhookWaitingBaseUrl: `${base}/webhook-waiting`,
		webhookTestBaseUrl: `${base}/webhook-test`,
		mcpBaseUrl: `${base}/mcp`,
		mcpTestBaseUrl: `${base}/mcp-test`,
		variables: {},
		userId: 'harness-user',
		executeWorkflow: async () => {
			throw new Error('harness: executeWorkflow not supported');
		},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		logAiEvent: () => {},
	};
	return additionalData as IWorkflowExecuteAdditionalData;
}

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------
export interface RunNodeOptions {
	nodeType: INodeType;
	/** One credential class or several (keyed by their `name`). */
	credentialType?: ICredentialType | ICredentialType[];
	/** Decrypted credential data, keyed by credential type name (or just the data if one type). */
	credentials?: ICredentialDataDecryptedObject | Record<string, ICredentialDataDecryptedObject>;
	parameters?: INodeParameters;
	items?: INodeExecutionData[];
	continueOnFail?: boolean;
	typeVersion?: number;
	nodeName?: string;
	/** Fill in parameter defaults as the editor does when it saves a node (default true). */
	applyDefaults?: boolean;
	mode?: WorkflowExecuteMode;
	abortSignal?: AbortSignal;
}

export interface BuiltContext {
	ctx: ExecuteContext;
	workflow: Workflow;
	node: INode;
	additionalData: IWorkflowExecuteAdditionalData;
	credentialsHelper: HarnessCredentialsHelper;
	abortController: AbortController;
}

function normaliseCredentials(opts: RunNodeOptions): {
	types: Record<string, ICredentialType>;
	data: Record<string, ICredentialDataDecryptedObject>;
} {
	const list = opts.credentialType
		? Array.isArray(opts.credentialType)
			? opts.credentialType
			: [opts.credentialType]
		: [];
	const types: Record<string, ICredentialType> = {};
	for (const t of list) types[t.name] = t;
	let data: Record<string, ICredentialDataDecryptedObject> = {};
	if (opts.credentials) {
		const keys = Object.keys(opts.credentials);
		const keyedByType = keys.length > 0 && keys.every((k) => k in types);
		data = keyedByType
			? (opts.credentials as Record<string, ICredentialDataDecryptedObject>)
			: list.length === 1
				? { [list[0].name]: opts.credentials as ICredentialDataDecryptedObject }
				: {};
	}
	return { types, data };
}

export function buildExecuteContext(opts: RunNodeOptions): BuiltContext {
	const { nodeType } = opts;
	const description = nodeType.description;
	const typeName = `CUSTOM.${description.name}`;
	const typeVersion =
		opts.typeVersion ??
		(Array.isArray(description.version) ? description.version.slice(-1)[0] : description.version);

	const { types, data } = normaliseCredentials(opts);
	const nodeCredentials: INode['credentials'] = {};
	for (const name of Object.keys(types))
		nodeCredentials[name] = { id: `cred-${name}`, name: `${name} (harness)` };

	const rawParameters = opts.parameters ?? {};
	const parameters =
		opts.applyDefaults === false
			? rawParameters
			: (NodeHelpers.getNodeParameters(
					description.properties,
					rawParameters,
					true,
					false,
					{ typeVersion },
					description,
				) ?? rawParameters);

	const node: INode = {
		id: 'harness-node-id',
		name: opts.nodeName ?? description.defaults.name ?? 'Node',
		type: typeName,
		typeVersion,
		position: [0, 0],
		parameters,
		credentials: nodeCredentials,
		...(opts.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
	};

	const workflow = new Workflow({
		id: 'harness-workflow',
		name: 'Harness workflow',
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: new HarnessNodeTypes({ [typeName]: nodeType }),
	});

	const credentialsHelper = new HarnessCredentialsHelper(types, data);
	const additionalData = buildAdditionalData(credentialsHelper);
	const items = opts.items ?? [{ json: {} }];
	const inputData: ITaskDataConnections = { main: [items] };
	const executeData: IExecuteData = { node, data: inputData, source: { main: [null] } };
	const runExecutionData = createRunExecutionData();
	const abortController = new AbortController();

	const ctx = new ExecuteContext(
		workflow,
		node,
		additionalData,
		opts.mode ?? 'manual',
		runExecutionData,
		0,
		items, // connectionInputData
		inputData,
		executeData,
		[], // closeFunctions
		opts.abortSignal ?? abortController.signal,
	);
	return { ctx, workflow, node, additionalData, credentialsHelper, abortController };
}

export async function runNode(opts: RunNodeOptions): Promise<INodeExecutionData[][]> {
	const { ctx } = buildExecuteContext(opts);
	if (!opts.nodeType.execute) throw new Error('harness: node type has no execute()');
	const result = await opts.nodeType.execute.call(ctx);
	// execute() may return EngineRequest for AI sub-nodes; a plain node returns arrays.
	return result as INodeExecutionData[][];
}

// ---------------------------------------------------------------------------
// Polling triggers: `poll()` through n8n-core's PollContext, as n8n's poll executor calls it.
// The node's static data lives in `staticData` (the workflow's, keyed as n8n keys it): pass
// the same object to the next poll, or a JSON copy of it to act as an n8n restart (n8n saves
// static data as JSON and loads it when the workflow is activated again).
// ---------------------------------------------------------------------------
export interface RunPollOptions extends Omit<RunNodeOptions, 'items' | 'continueOnFail' | 'mode'> {
	/** 'trigger': an active workflow's poll; 'manual': the editor's test run. */
	mode?: 'trigger' | 'manual';
	staticData?: IDataObject;
}

export async function runPoll(opts: RunPollOptions): Promise<INodeExecutionData[][] | null> {
	const { workflow, node, additionalData } = buildExecuteContext({
		...opts,
		mode: opts.mode ?? 'trigger',
	});
	if (opts.staticData) workflow.staticData = opts.staticData as typeof workflow.staticData;
	const mode = opts.mode ?? 'trigger';
	const ctx = new PollContext(
		workflow,
		node,
		additionalData,
		mode,
		mode === 'manual' ? 'manual' : 'activate',
	);
	if (!opts.nodeType.poll) throw new Error('harness: node type has no poll()');
	return await opts.nodeType.poll.call(ctx);
}
