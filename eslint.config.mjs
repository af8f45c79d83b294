// n8n's official community-node lint config (what `n8n-node lint` uses), with
// eslint-disable comments ignored, as n8n's verification scanner does.
import { config } from '@n8n/node-cli/eslint';

export default [...config, { linterOptions: { noInlineConfig: true } }];
