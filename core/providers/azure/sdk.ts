/** The Azure client, loaded on the first Azure request only (see ../openai/sdk.ts for why). */
export { azureClientFor } from "./client.ts";
