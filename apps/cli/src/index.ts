// For tests and other tools: the operator context and the stack, without the command line.
export { openOperator, type Operator } from "./operator";
export { CliError } from "./lock";
