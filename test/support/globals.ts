// Moved to the test kit; kept for the files still importing it from here (delete once none does).
export { resetLitellm } from "./kit.ts";
