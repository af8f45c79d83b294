// Until issue 21 moves e2e/ into tools/: the tools' rules.
export { default } from '../tools/eslint.config.mjs';
