import {
	exotelPolicyProblems,
	nodeRuleProblems,
} from '../../nodes/ExotelUsers/helpers/passwordPolicy';

/** Every rule a password the node sends must pass, as Update SIP Password checks it: Exotel's policy and the node's own. */
export function sipPasswordProblems(password: string): string[] {
	return [...exotelPolicyProblems(password), ...nodeRuleProblems(password)];
}
