// Every key of LiteLLM's "All settings" page loads: the keys this runtime acts on take effect, the others
// are named in the one CONFIG_IGNORED_KEYS warning, and none is an error.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CONFIG_ERROR_CODES, loadConfig, validateConfig, type ConfigIssue } from "../core/index.ts";
import { CONFIG_SCHEMA } from "../core/config/schema.ts";

const FIXTURE = fileURLToPath(new URL("./fixtures/litellm-config-settings/litellm.config.yaml", import.meta.url));

const words = (text: TemplateStringsArray): string[] => text.join("").split(/\s+/).filter(Boolean);
const under = (prefix: string, keys: readonly string[]): string[] => keys.map((k) => `${prefix}.${k}`);

/*
 * The keys documented on LiteLLM's "All settings" page, docs/my-website/docs/proxy/config_settings.md
 * in BerriAI/litellm, as read on 2026-12-03: its example config and its tables for litellm_settings,
 * general_settings, router_settings and environment variables. It has no table of litellm_params.
 * Paths as the warning writes them; model_list[0] is the fixture's entry that carries the example's model_info.
 */
const LITELLM_SETTINGS = words`
  success_callback failure_callback callbacks service_callbacks turn_off_message_logging modify_params enable_preview_features
  LITELLM_DISABLE_STOP_SEQUENCE_LIMIT redact_user_api_key_info mcp_aliases langfuse_default_tags set_verbose json_logs default_fallbacks
  request_timeout force_ipv4 content_policy_fallbacks context_window_fallbacks cache cache_params disable_end_user_cost_tracking
  disable_end_user_cost_tracking_prometheus_only key_generation_settings disable_add_transform_inline_image_block
  use_chat_completions_url_for_anthropic_messages disable_hf_tokenizer_download enable_json_schema_validation
  enable_key_alias_format_validation disable_copilot_system_to_assistant`;
// From the example config; disable_copilot_system_to_assistant sits here in the example and in litellm_settings in the table.
const CACHE_PARAMS = words`
  type host port password namespace max_connections redis_startup_nodes service_name sentinel_nodes gcp_service_account
  gcp_ssl_ca_certs ssl ssl_cert_reqs ssl_check_hostname qdrant_semantic_cache_embedding_model qdrant_collection_name
  qdrant_quantization_config qdrant_semantic_cache_vector_size similarity_threshold s3_bucket_name s3_region_name
  s3_aws_access_key_id s3_aws_secret_access_key s3_endpoint_url gcs_bucket_name gcs_path_service_account gcs_path
  supported_call_types mode ttl disable_copilot_system_to_assistant`;
const GENERAL_SETTINGS = words`
  completion_model store_prompts_in_spend_logs forward_client_headers_to_llm_api disable_spend_logs disable_spend_updates
  disable_master_key_return disable_retry_on_max_parallel_request_limit_error disable_reset_budget disable_adding_master_key_hash_to_db
  disable_responses_id_security enable_jwt_auth enforce_user_param reject_clientside_metadata_tags allowed_routes key_management_system
  master_key maximum_spend_logs_retention_period maximum_spend_logs_retention_interval user_mcp_management_mode database_url
  database_connection_pool_limit database_connection_timeout allow_requests_on_db_unavailable custom_auth max_parallel_requests
  global_max_parallel_requests infer_model_from_keys background_health_checks health_check_interval alerting alerting_threshold
  use_client_credentials_pass_through_routes health_check_details public_routes alert_types enforced_params enable_oauth2_auth
  use_x_forwarded_for service_account_settings image_generation_model store_model_in_db supported_db_objects max_request_size_mb
  max_response_size_mb proxy_budget_rescheduler_min_time proxy_budget_rescheduler_max_time proxy_batch_write_at
  proxy_batch_polling_interval alerting_args custom_key_generate allowed_ips embedding_model default_team_disabled
  alert_to_webhook_url key_management_settings allow_user_auth user_api_key_cache_ttl disable_prisma_schema_update
  litellm_key_header_name moderation_model custom_sso allow_client_side_credentials admin_only_routes use_azure_key_vault
  use_google_kms spend_report_frequency ui_access_mode litellm_jwtauth litellm_license oauth2_config_mappings pass_through_endpoints
  enable_oauth2_proxy_auth forward_openai_org_id`;
// The table spells the pre-call check both enable_pre_call_check and enable_pre_call_checks.
const ROUTER_SETTINGS = words`
  routing_strategy redis_host redis_password redis_port redis_db enable_pre_call_check content_policy_fallbacks fallbacks
  enable_tag_filtering tag_filtering_match_any cooldown_time disable_cooldowns retry_policy allowed_fails allowed_fails_policy
  default_max_parallel_requests default_priority polling_interval max_fallbacks default_litellm_params timeout stream_timeout
  debug_level client_ttl cache_kwargs routing_strategy_args model_group_alias num_retries default_fallbacks caching_groups
  alerting_config assistants_config set_verbose retry_after provider_budget_config enable_pre_call_checks model_group_retry_policy
  context_window_fallbacks redis_url cache_responses router_general_settings optional_pre_call_checks deployment_affinity_ttl_seconds
  ignore_invalid_deployments search_tools guardrail_list`;
const ENVIRONMENT_VARIABLES = words`
  ACTIONS_ID_TOKEN_REQUEST_TOKEN ACTIONS_ID_TOKEN_REQUEST_URL AGENTOPS_ENVIRONMENT AGENTOPS_API_KEY AGENTOPS_SERVICE_NAME AISPEND_ACCOUNT_ID
  AISPEND_API_KEY AIOHTTP_CONNECTOR_LIMIT AIOHTTP_CONNECTOR_LIMIT_PER_HOST AIOHTTP_KEEPALIVE_TIMEOUT AIOHTTP_TRUST_ENV AIOHTTP_TTL_DNS_CACHE
  ALLOWED_EMAIL_DOMAINS APSCHEDULER_COALESCE APSCHEDULER_MAX_INSTANCES APSCHEDULER_MISFIRE_GRACE_TIME APSCHEDULER_REPLACE_EXISTING ARIZE_API_KEY
  ARIZE_SPACE_KEY ARGILLA_BATCH_SIZE ARGILLA_API_KEY ARGILLA_SAMPLING_RATE ARGILLA_DATASET_NAME ARGILLA_BASE_URL ATHINA_API_KEY ATHINA_BASE_URL
  AUTH_STRATEGY AUTO_REDIRECT_UI_LOGIN_TO_SSO AUDIO_SPEECH_CHUNK_SIZE ANTHROPIC_API_KEY ANTHROPIC_API_BASE ANTHROPIC_TOKEN_COUNTING_BETA_VERSION
  AWS_ACCESS_KEY_ID AWS_BATCH_ROLE_ARN AWS_DEFAULT_REGION AWS_PROFILE_NAME AWS_REGION AWS_REGION_NAME AWS_ROLE_ARN AWS_ROLE_NAME AWS_S3_BUCKET_NAME
  AWS_S3_OUTPUT_BUCKET_NAME AWS_SECRET_ACCESS_KEY AWS_SESSION_NAME AWS_WEB_IDENTITY_TOKEN AWS_WEB_IDENTITY_TOKEN_FILE AZURE_API_VERSION
  AZURE_AI_API_BASE AZURE_AI_API_KEY AZURE_AUTHORITY_HOST AZURE_CERTIFICATE_PASSWORD AZURE_CLIENT_ID AZURE_CLIENT_SECRET
  AZURE_COMPUTER_USE_INPUT_COST_PER_1K_TOKENS AZURE_COMPUTER_USE_OUTPUT_COST_PER_1K_TOKENS AZURE_DEFAULT_RESPONSES_API_VERSION
  AZURE_DOCUMENT_INTELLIGENCE_API_VERSION AZURE_DOCUMENT_INTELLIGENCE_DEFAULT_DPI AZURE_TENANT_ID AZURE_USERNAME AZURE_PASSWORD
  AZURE_FEDERATED_TOKEN_FILE AZURE_FILE_SEARCH_COST_PER_GB_PER_DAY AZURE_SCOPE AZURE_SENTINEL_DCR_IMMUTABLE_ID AZURE_SENTINEL_STREAM_NAME
  AZURE_SENTINEL_CLIENT_SECRET AZURE_SENTINEL_ENDPOINT AZURE_SENTINEL_TENANT_ID AZURE_SENTINEL_CLIENT_ID AZURE_KEY_VAULT_URI
  AZURE_OPERATION_POLLING_TIMEOUT AZURE_STORAGE_ACCOUNT_KEY AZURE_STORAGE_ACCOUNT_NAME AZURE_STORAGE_FILE_SYSTEM AZURE_STORAGE_TENANT_ID
  AZURE_STORAGE_CLIENT_ID AZURE_STORAGE_CLIENT_SECRET AZURE_VECTOR_STORE_COST_PER_GB_PER_DAY BATCH_STATUS_POLL_INTERVAL_SECONDS
  BATCH_STATUS_POLL_MAX_ATTEMPTS BEDROCK_MAX_POLICY_SIZE BEDROCK_MIN_THINKING_BUDGET_TOKENS BERRISPEND_ACCOUNT_ID BRAINTRUST_API_KEY BRAINTRUST_API_BASE
  BRAINTRUST_MOCK BRAINTRUST_MOCK_LATENCY_MS CACHED_STREAMING_CHUNK_DELAY CHATGPT_API_BASE CHATGPT_AUTH_FILE CHATGPT_DEFAULT_INSTRUCTIONS
  CHATGPT_ORIGINATOR CHATGPT_TOKEN_DIR CHATGPT_USER_AGENT CHATGPT_USER_AGENT_SUFFIX CIRCLE_OIDC_TOKEN CIRCLE_OIDC_TOKEN_V2 CLI_JWT_EXPIRATION_HOURS
  CLOUDZERO_API_KEY CLOUDZERO_CONNECTION_ID CLOUDZERO_EXPORT_INTERVAL_MINUTES CLOUDZERO_MAX_FETCHED_DATA_RECORDS CLOUDZERO_TIMEZONE CONFIG_FILE_PATH
  CYBERARK_ACCOUNT CYBERARK_API_BASE CYBERARK_API_KEY CYBERARK_CLIENT_CERT CYBERARK_CLIENT_KEY CYBERARK_USERNAME CYBERARK_SSL_VERIFY CONFIDENT_API_KEY
  CUSTOM_TIKTOKEN_CACHE_DIR COHERE_API_BASE COMPETITOR_LLM_TEMPERATURE CURSOR_API_BASE DATABASE_HOST DATABASE_NAME DATABASE_PASSWORD DATABASE_PORT
  DATABASE_SCHEMA DATABASE_URL DATABASE_USER DATABASE_USERNAME DATABRICKS_API_BASE DATABRICKS_API_KEY DATABRICKS_CLIENT_ID DATABRICKS_CLIENT_SECRET
  DATABRICKS_USER_AGENT DAYS_IN_A_MONTH DAYS_IN_A_WEEK DAYS_IN_A_YEAR DYNAMOAI_API_KEY DYNAMOAI_API_BASE DYNAMOAI_MODEL_ID DYNAMOAI_POLICY_IDS
  DD_BASE_URL DATADOG_BASE_URL _DATADOG_BASE_URL DD_AGENT_HOST DD_AGENT_PORT DD_API_KEY DD_APP_KEY DD_SITE DD_SOURCE
  DD_TRACER_STREAMING_CHUNK_YIELD_RESOURCE DD_ENV DD_SERVICE DD_VERSION DATADOG_MOCK DATADOG_MOCK_LATENCY_MS DEBUG_OTEL DEFAULT_ALLOWED_FAILS
  DEFAULT_A2A_AGENT_TIMEOUT DEFAULT_ACCESS_GROUP_CACHE_TTL DEFAULT_ANTHROPIC_CHAT_MAX_TOKENS DEFAULT_BATCH_SIZE DEFAULT_CHUNK_OVERLAP DEFAULT_CHUNK_SIZE
  DEFAULT_CLIENT_DISCONNECT_CHECK_TIMEOUT_SECONDS DEFAULT_COOLDOWN_TIME_SECONDS DEFAULT_CRON_JOB_LOCK_TTL_SECONDS DEFAULT_DATAFORSEO_LOCATION_CODE
  DEFAULT_FAILURE_THRESHOLD_PERCENT DEFAULT_FAILURE_THRESHOLD_MINIMUM_REQUESTS DEFAULT_FLUSH_INTERVAL_SECONDS DEFAULT_HEALTH_CHECK_INTERVAL
  DEFAULT_HEALTH_CHECK_PROMPT DEFAULT_IMAGE_HEIGHT DEFAULT_IMAGE_TOKEN_COUNT DEFAULT_IMAGE_WIDTH DEFAULT_IN_MEMORY_TTL
  DEFAULT_MANAGEMENT_OBJECT_IN_MEMORY_CACHE_TTL DEFAULT_MAX_LRU_CACHE_SIZE DEFAULT_MAX_RECURSE_DEPTH DEFAULT_MAX_RECURSE_DEPTH_SENSITIVE_DATA_MASKER
  DEFAULT_MAX_RETRIES DEFAULT_MAX_TOKENS DEFAULT_MAX_TOKENS_FOR_TRITON DEFAULT_MAX_REDIS_BATCH_CACHE_SIZE DEFAULT_MCP_SEMANTIC_FILTER_EMBEDDING_MODEL
  DEFAULT_MCP_SEMANTIC_FILTER_SIMILARITY_THRESHOLD DEFAULT_MCP_SEMANTIC_FILTER_TOP_K MCP_NPM_CACHE_DIR LITELLM_MCP_CLIENT_TIMEOUT
  LITELLM_MCP_TOOL_LISTING_TIMEOUT LITELLM_MCP_METADATA_TIMEOUT LITELLM_MCP_HEALTH_CHECK_TIMEOUT MCP_OAUTH2_TOKEN_CACHE_DEFAULT_TTL
  MCP_OAUTH2_TOKEN_CACHE_MAX_SIZE MCP_OAUTH2_TOKEN_CACHE_MIN_TTL MCP_OAUTH2_TOKEN_EXPIRY_BUFFER_SECONDS DEFAULT_MOCK_RESPONSE_COMPLETION_TOKEN_COUNT
  DEFAULT_MOCK_RESPONSE_PROMPT_TOKEN_COUNT DEFAULT_MODEL_CREATED_AT_TIME DEFAULT_NUM_WORKERS_LITELLM_PROXY DEFAULT_PROMPT_INJECTION_SIMILARITY_THRESHOLD
  DEFAULT_POLLING_INTERVAL DEFAULT_REASONING_EFFORT_DISABLE_THINKING_BUDGET DEFAULT_REASONING_EFFORT_HIGH_THINKING_BUDGET
  DEFAULT_REASONING_EFFORT_LOW_THINKING_BUDGET DEFAULT_REASONING_EFFORT_MEDIUM_THINKING_BUDGET DEFAULT_REASONING_EFFORT_MINIMAL_THINKING_BUDGET
  DEFAULT_REASONING_EFFORT_MINIMAL_THINKING_BUDGET_GEMINI_2_5_FLASH DEFAULT_REASONING_EFFORT_MINIMAL_THINKING_BUDGET_GEMINI_2_5_FLASH_LITE
  DEFAULT_REASONING_EFFORT_MINIMAL_THINKING_BUDGET_GEMINI_2_5_PRO DEFAULT_REDIS_MAJOR_VERSION DEFAULT_REDIS_SYNC_INTERVAL
  DEFAULT_SEMANTIC_GUARD_EMBEDDING_MODEL DEFAULT_SEMANTIC_GUARD_SIMILARITY_THRESHOLD DEFAULT_REPLICATE_GPU_PRICE_PER_SECOND
  DEFAULT_REPLICATE_POLLING_DELAY_SECONDS DEFAULT_REPLICATE_POLLING_RETRIES DEFAULT_SQS_BATCH_SIZE DEFAULT_SQS_FLUSH_INTERVAL_SECONDS
  DEFAULT_S3_BATCH_SIZE DEFAULT_S3_FLUSH_INTERVAL_SECONDS DEFAULT_SLACK_ALERTING_THRESHOLD DEFAULT_SOFT_BUDGET DEFAULT_TRIM_RATIO
  DEFAULT_GOOGLE_VIDEO_DURATION_SECONDS DIRECT_URL DISABLE_ADMIN_UI DISABLE_AIOHTTP_TRANSPORT DISABLE_AIOHTTP_TRUST_ENV DISABLE_SCHEMA_UPDATE
  DYNAMIC_RATE_LIMIT_ERROR_THRESHOLD_PER_MINUTE DOCS_DESCRIPTION DOCS_FILTERED DOCS_TITLE DOCS_URL EMAIL_LOGO_URL EMAIL_BUDGET_ALERT_TTL
  EMAIL_BUDGET_ALERT_MAX_SPEND_ALERT_PERCENTAGE EMAIL_SUPPORT_CONTACT EMAIL_SIGNATURE EMAIL_SUBJECT_INVITATION EMAIL_SUBJECT_KEY_CREATED
  ENKRYPTAI_API_BASE ENKRYPTAI_API_KEY FIREWORKS_AI_4_B FIREWORKS_AI_16_B FIREWORKS_AI_56_B_MOE FIREWORKS_AI_80_B FIREWORKS_AI_176_B_MOE FOCUS_PROVIDER
  FOCUS_FORMAT FOCUS_FREQUENCY FOCUS_CRON_OFFSET FOCUS_INTERVAL_SECONDS FOCUS_PREFIX FOCUS_S3_BUCKET_NAME FOCUS_S3_REGION_NAME FOCUS_S3_ENDPOINT_URL
  FOCUS_S3_ACCESS_KEY FOCUS_S3_SECRET_KEY FOCUS_S3_SESSION_TOKEN FUNCTION_DEFINITION_TOKEN_COUNT GALILEO_BASE_URL GALILEO_PASSWORD GALILEO_PROJECT_ID
  GALILEO_USERNAME GOOGLE_SECRET_MANAGER_PROJECT_ID GCS_BUCKET_NAME GCS_MOCK GCS_MOCK_LATENCY_MS GCS_PATH_SERVICE_ACCOUNT GCS_FLUSH_INTERVAL
  GCS_BATCH_SIZE GCS_USE_BATCHED_LOGGING GCS_PUBSUB_TOPIC_ID GCS_PUBSUB_PROJECT_ID GENERIC_AUTHORIZATION_ENDPOINT GENERIC_CLIENT_ID
  GENERIC_CLIENT_SECRET GENERIC_CLIENT_STATE GENERIC_CLIENT_USE_PKCE GENERIC_SSO_HEADERS GENERIC_INCLUDE_CLIENT_ID GENERIC_SCOPE GENERIC_TOKEN_ENDPOINT
  GENERIC_USER_DISPLAY_NAME_ATTRIBUTE GENERIC_USER_EMAIL_ATTRIBUTE GENERIC_USER_EXTRA_ATTRIBUTES GENERIC_USER_FIRST_NAME_ATTRIBUTE
  GENERIC_USER_ID_ATTRIBUTE GENERIC_USER_LAST_NAME_ATTRIBUTE GENERIC_USER_PROVIDER_ATTRIBUTE GENERIC_USER_ROLE_ATTRIBUTE GENERIC_USERINFO_ENDPOINT
  GENERIC_LOGGER_ENDPOINT GENERIC_LOGGER_HEADERS GENERIC_ROLE_MAPPINGS_DEFAULT_ROLE GENERIC_ROLE_MAPPINGS_GROUP_CLAIM GENERIC_ROLE_MAPPINGS_ROLES
  GENERIC_USER_ROLE_MAPPINGS GEMINI_API_BASE GITHUB_COPILOT_TOKEN_DIR GITHUB_COPILOT_API_KEY_FILE GITHUB_COPILOT_ACCESS_TOKEN_FILE GREENSCALE_API_KEY
  GREENSCALE_ENDPOINT GRAYSWAN_API_BASE GRAYSWAN_API_KEY GRAYSWAN_REASONING_MODE GRAYSWAN_VIOLATION_THRESHOLD GOOGLE_APPLICATION_CREDENTIALS
  GOOGLE_CLIENT_ID GOOGLE_CLIENT_SECRET GOOGLE_KMS_RESOURCE_NAME GUARDRAILS_AI_API_BASE HEALTH_CHECK_TIMEOUT_SECONDS HEROKU_API_BASE HEROKU_API_KEY
  HF_API_BASE HCP_VAULT_ADDR HCP_VAULT_APPROLE_MOUNT_PATH HCP_VAULT_APPROLE_ROLE_ID HCP_VAULT_APPROLE_SECRET_ID HCP_VAULT_CLIENT_CERT
  HCP_VAULT_CLIENT_KEY HCP_VAULT_MOUNT_NAME HCP_VAULT_NAMESPACE HCP_VAULT_PATH_PREFIX HCP_VAULT_TOKEN HCP_VAULT_CERT_ROLE HELICONE_API_KEY
  HELICONE_API_BASE HELICONE_MOCK HELICONE_MOCK_LATENCY_MS HOSTNAME HOURS_IN_A_DAY HIDDENLAYER_API_BASE HIDDENLAYER_AUTH_URL HIDDENLAYER_CLIENT_ID
  HIDDENLAYER_CLIENT_SECRET HUGGINGFACE_API_BASE HUGGINGFACE_API_KEY HUMANLOOP_PROMPT_CACHE_TTL_SECONDS IAM_TOKEN_DB_AUTH IBM_GUARDRAILS_API_BASE
  IBM_GUARDRAILS_AUTH_TOKEN INITIAL_RETRY_DELAY JITTER JSON_LOGS JWT_AUDIENCE JWT_PUBLIC_KEY_URL LAGO_API_BASE LAGO_API_CHARGE_BY LAGO_API_EVENT_CODE
  LAGO_API_KEY LANGFUSE_DEBUG LANGFUSE_FLUSH_INTERVAL LANGFUSE_TRACING_ENVIRONMENT LANGFUSE_HOST LANGFUSE_MOCK LANGFUSE_MOCK_LATENCY_MS
  LANGFUSE_PUBLIC_KEY LANGFUSE_RELEASE LANGFUSE_SECRET_KEY LANGFUSE_PROPAGATE_TRACE_ID LANGSMITH_API_KEY LANGSMITH_BASE_URL LANGSMITH_BATCH_SIZE
  LANGSMITH_DEFAULT_RUN_NAME LANGSMITH_PROJECT LANGSMITH_SAMPLING_RATE LANGSMITH_TENANT_ID LANGSMITH_MOCK LANGSMITH_MOCK_LATENCY_MS LANGTRACE_API_KEY
  LASSO_API_BASE LASSO_API_KEY LASSO_USER_ID LASSO_CONVERSATION_ID LENGTH_OF_LITELLM_GENERATED_KEY LEGACY_MULTI_INSTANCE_RATE_LIMITING LITERAL_API_KEY
  LITERAL_API_URL LITERAL_BATCH_SIZE LITELLM_ANTHROPIC_BETA_HEADERS_URL LITELLM_ANTHROPIC_DISABLE_URL_SUFFIX LITELLM_ASSETS_PATH LITELLM_BLOG_POSTS_URL
  LITELLM_CLI_JWT_EXPIRATION_HOURS LITELLM_DD_AGENT_HOST LITELLM_DEPLOYMENT_ENVIRONMENT LITELLM_DETAILED_TIMING LITELLM_DD_AGENT_PORT
  LITELLM_DD_LLM_OBS_PORT LITELLM_DONT_SHOW_FEEDBACK_BOX LITELLM_DROP_PARAMS LITELLM_MODIFY_PARAMS LITELLM_EMAIL LITELLM_FAVICON_URL
  LITELLM_GLOBAL_MAX_PARALLEL_REQUEST_RETRIES LITELLM_GLOBAL_MAX_PARALLEL_REQUEST_RETRY_TIMEOUT LITELLM_DISABLE_LAZY_LOADING
  LITELLM_DISABLE_REDACT_SECRETS LITELLM_MIGRATION_DIR LITELLM_HOSTED_UI LITELLM_UI_API_DOC_BASE_URL LITELLM_UI_PATH LITELLM_UI_SESSION_DURATION
  LITELM_ENVIRONMENT LITELLM_KEY_ROTATION_ENABLED LITELLM_KEY_ROTATION_CHECK_INTERVAL_SECONDS LITELLM_KEY_ROTATION_GRACE_PERIOD LITELLM_LICENSE
  LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS LITELLM_LOCAL_BLOG_POSTS LITELLM_LOCAL_MODEL_COST_MAP LITELLM_LOCAL_POLICY_TEMPLATES LITELLM_LOG
  LITELLM_MODEL_COST_MAP_URL LITELLM_LOG_FILE LITELLM_LOGGER_NAME LITELLM_METER_NAME LITELLM_OTEL_INTEGRATION_ENABLE_EVENTS
  LITELLM_OTEL_INTEGRATION_ENABLE_METRICS LITELLM_ENABLE_PYROSCOPE PYROSCOPE_APP_NAME PYROSCOPE_SERVER_ADDRESS PYROSCOPE_SAMPLE_RATE LITELLM_MASTER_KEY
  LITELLM_MAX_BUDGET_PER_SESSION_TTL LITELLM_MAX_ITERATIONS_TTL LITELLM_MAX_STREAMING_DURATION_SECONDS LITELLM_MODE LITELLM_NON_ROOT
  LITELLM_RATE_LIMIT_WINDOW_SIZE LITELLM_REASONING_AUTO_SUMMARY LITELLM_SALT_KEY LITELLM_SSL_CIPHERS LITELLM_SECRET_AWS_KMS_LITELLM_LICENSE
  LITELLM_TOKEN LITELLM_USE_CHAT_COMPLETIONS_URL_FOR_ANTHROPIC_MESSAGES LITELLM_USER_AGENT LITELLM_WORKER_STARTUP_HOOKS
  LITELLM_PRINT_STANDARD_LOGGING_PAYLOAD LITELLM_ASYNCIO_QUEUE_MAXSIZE LOGFIRE_TOKEN LOGFIRE_BASE_URL LOGGING_WORKER_CONCURRENCY
  LOGGING_WORKER_MAX_QUEUE_SIZE LOGGING_WORKER_MAX_TIME_PER_COROUTINE LOGGING_WORKER_CLEAR_PERCENTAGE MAX_BASE64_LENGTH_FOR_LOGGING MAX_COMPETITOR_NAMES
  MAX_EXCEPTION_MESSAGE_LENGTH MAX_ITERATIONS_TO_CLEAR_QUEUE MAX_TIME_TO_CLEAR_QUEUE LOGGING_WORKER_AGGRESSIVE_CLEAR_COOLDOWN_SECONDS
  MAX_STRING_LENGTH_PROMPT_IN_DB MAX_IN_MEMORY_QUEUE_FLUSH_COUNT MAX_IMAGE_URL_DOWNLOAD_SIZE_MB MAX_LONG_SIDE_FOR_IMAGE_HIGH_RES
  MAX_REDIS_BUFFER_DEQUEUE_COUNT MAX_SHORT_SIDE_FOR_IMAGE_HIGH_RES MAX_SIZE_IN_MEMORY_QUEUE MAX_SIZE_PER_ITEM_IN_MEMORY_CACHE_IN_KB
  MAX_SPENDLOG_ROWS_TO_QUERY MAX_TEAM_LIST_LIMIT MAX_TILE_HEIGHT MAX_TILE_WIDTH MAX_TOKEN_TRIMMING_ATTEMPTS MAXIMUM_TRACEBACK_LINES_TO_LOG
  MAX_RETRY_DELAY MAX_LANGFUSE_INITIALIZED_CLIENTS MAX_MCP_SEMANTIC_FILTER_TOOLS_HEADER_LENGTH MAX_POLICY_ESTIMATE_IMPACT_ROWS
  MAX_PAYLOAD_SIZE_FOR_DEBUG_LOG MIN_NON_ZERO_TEMPERATURE MINIMUM_PROMPT_CACHE_TOKEN_COUNT MISTRAL_API_BASE MISTRAL_API_KEY
  MICROSOFT_AUTHORIZATION_ENDPOINT MICROSOFT_CLIENT_ID MICROSOFT_CLIENT_SECRET MICROSOFT_SERVICE_PRINCIPAL_ID MICROSOFT_TENANT MICROSOFT_TOKEN_ENDPOINT
  MICROSOFT_USER_DISPLAY_NAME_ATTRIBUTE MICROSOFT_USER_EMAIL_ATTRIBUTE MICROSOFT_USER_FIRST_NAME_ATTRIBUTE MICROSOFT_USER_ID_ATTRIBUTE
  MICROSOFT_USER_LAST_NAME_ATTRIBUTE MICROSOFT_USERINFO_ENDPOINT MODEL_COST_MAP_MAX_SHRINK_RATIO MODEL_COST_MAP_MIN_MODEL_COUNT NO_DOCS NO_REDOC
  NO_PROXY NON_LLM_CONNECTION_TIMEOUT OAUTH_TOKEN_INFO_ENDPOINT OPENAI_BASE_URL OPENAI_API_BASE OPENAI_API_KEY OPENAI_CHATGPT_API_BASE
  OPENAI_FILE_SEARCH_COST_PER_1K_CALLS OPENAI_ORGANIZATION OPENID_BASE_URL OPENID_CLIENT_ID OPENID_CLIENT_SECRET OPENMETER_API_ENDPOINT
  OPENMETER_API_KEY OPENMETER_EVENT_TYPE ONYX_API_BASE ONYX_API_KEY ONYX_TIMEOUT OTEL_ENDPOINT OTEL_EXPORTER_OTLP_ENDPOINT OTEL_ENVIRONMENT_NAME
  OTEL_EXPORTER OTEL_EXPORTER_OTLP_PROTOCOL OTEL_HEADERS OTEL_MODEL_ID OTEL_EXPORTER_OTLP_HEADERS OTEL_SERVICE_NAME OTEL_TRACER_NAME OTEL_LOGS_EXPORTER
  PAGERDUTY_API_KEY PANW_PRISMA_AIRS_API_KEY PANW_PRISMA_AIRS_API_BASE PHOENIX_API_KEY PHOENIX_COLLECTOR_ENDPOINT PHOENIX_COLLECTOR_HTTP_ENDPOINT
  PILLAR_API_BASE PILLAR_API_KEY PILLAR_ON_FLAGGED_ACTION PKCE_STRICT_CACHE_MISS POD_NAME POSTHOG_API_KEY POSTHOG_API_URL POSTHOG_MOCK
  POSTHOG_MOCK_LATENCY_MS PRISMA_AUTH_RECONNECT_LOCK_TIMEOUT_SECONDS PRISMA_AUTH_RECONNECT_TIMEOUT_SECONDS PRISMA_HEALTH_WATCHDOG_ENABLED
  PRISMA_HEALTH_WATCHDOG_INTERVAL_SECONDS PRISMA_HEALTH_WATCHDOG_PROBE_TIMEOUT_SECONDS PRISMA_RECONNECT_COOLDOWN_SECONDS
  PRISMA_RECONNECT_ESCALATION_THRESHOLD PRISMA_WATCHDOG_RECONNECT_TIMEOUT_SECONDS PREDIBASE_API_BASE PRESIDIO_ANALYZER_API_BASE
  PRESIDIO_ANONYMIZER_API_BASE PROMETHEUS_BUDGET_METRICS_REFRESH_INTERVAL_MINUTES PROMETHEUS_FALLBACK_STATS_SEND_TIME_HOURS PROMETHEUS_URL
  PROMPTLAYER_API_KEY PROXY_ADMIN_ID PROXY_BASE_URL PROXY_BATCH_WRITE_AT PROXY_BATCH_POLLING_INTERVAL PROXY_BATCH_POLLING_ENABLED
  MAX_OBJECTS_PER_POLL_CYCLE MANAGED_OBJECT_STALENESS_CUTOFF_DAYS PROXY_BUDGET_RESCHEDULER_MAX_TIME PROXY_BUDGET_RESCHEDULER_MIN_TIME
  PYTHON_GC_THRESHOLD PROXY_LOGOUT_URL QDRANT_API_BASE QDRANT_API_KEY QDRANT_SCALAR_QUANTILE QDRANT_URL QDRANT_VECTOR_SIZE REDIS_CONNECTION_POOL_TIMEOUT
  REDIS_CLUSTER_NODES REDIS_HOST REDIS_PASSWORD REDIS_PORT REDIS_SOCKET_TIMEOUT REDIS_GCP_SERVICE_ACCOUNT REDIS_GCP_SSL_CA_CERTS REDOC_URL
  REPEATED_STREAMING_CHUNK_LIMIT REALTIME_WEBSOCKET_MAX_MESSAGE_SIZE_BYTES REPLICATE_MODEL_NAME_WITH_ID_LENGTH REPLICATE_POLLING_DELAY_SECONDS
  REQUEST_TIMEOUT ROOT_REDIRECT_URL ROUTER_MAX_FALLBACKS RUNWAYML_DEFAULT_API_VERSION RUNWAYML_POLLING_TIMEOUT S3_VECTORS_DEFAULT_DIMENSION
  S3_VECTORS_DEFAULT_DISTANCE_METRIC SECRET_MANAGER_REFRESH_INTERVAL SEPARATE_HEALTH_APP SEPARATE_HEALTH_PORT SUPERVISORD_STOPWAITSECS SERVER_ROOT_PATH
  SEND_USER_API_KEY_ALIAS SEND_USER_API_KEY_TEAM_ID SEND_USER_API_KEY_USER_ID SET_VERBOSE SINGLE_DEPLOYMENT_TRAFFIC_FAILURE_THRESHOLD
  SLACK_DAILY_REPORT_FREQUENCY SLACK_WEBHOOK_URL SMTP_HOST SMTP_PASSWORD SMTP_PORT SMTP_SENDER_EMAIL SMTP_SENDER_LOGO SMTP_TLS SMTP_USERNAME
  SENDGRID_API_KEY RESEND_API_KEY SENDGRID_SENDER_EMAIL SPEND_LOGS_URL SPEND_LOG_CLEANUP_BATCH_SIZE SSL_CERTIFICATE SSL_ECDH_CURVE SSL_SECURITY_LEVEL
  SSL_VERIFY SSL_CERT_FILE SUPABASE_KEY SUPABASE_URL STORE_MODEL_IN_DB SYSTEM_MESSAGE_TOKEN_COUNT TEST_EMAIL_ADDRESS TOGETHER_AI_4_B TOGETHER_AI_8_B
  TOGETHER_AI_21_B TOGETHER_AI_41_B TOGETHER_AI_80_B TOGETHER_AI_110_B TOGETHER_AI_EMBEDDING_150_M TOGETHER_AI_EMBEDDING_350_M
  TOOL_CHOICE_OBJECT_TOKEN_COUNT TOOL_POLICY_CACHE_TTL_SECONDS UI_LOGO_PATH UI_PASSWORD UI_USERNAME UPSTREAM_LANGFUSE_DEBUG UPSTREAM_LANGFUSE_HOST
  UPSTREAM_LANGFUSE_PUBLIC_KEY UPSTREAM_LANGFUSE_RELEASE UPSTREAM_LANGFUSE_SECRET_KEY USE_AWS_KMS USE_PRISMA_MIGRATE VANTAGE_API_KEY VANTAGE_BASE_URL
  VANTAGE_EXPORT_FREQUENCY VANTAGE_EXPORT_INTERVAL_SECONDS VANTAGE_INTEGRATION_TOKEN WANDB_API_KEY WANDB_HOST WANDB_PROJECT_ID WEBHOOK_URL
  SPEND_LOG_RUN_LOOPS SPEND_LOG_QUEUE_POLL_INTERVAL SPEND_LOG_QUEUE_SIZE_THRESHOLD COROUTINE_CHECKER_MAX_SIZE_IN_MEMORY DEFAULT_SHARED_HEALTH_CHECK_TTL
  DEFAULT_SHARED_HEALTH_CHECK_LOCK_TTL ZSCALER_AI_GUARD_API_KEY ZSCALER_AI_GUARD_POLICY_ID ZSCALER_AI_GUARD_URL`;

const DOCUMENTED: readonly string[] = [
  ...words`environment_variables model_list litellm_settings callback_settings general_settings router_settings`,
  ...under("model_list[0]", words`model_name litellm_params model_info`),
  ...under("model_list[0].model_info", words`id mode input_cost_per_token output_cost_per_token max_tokens base_model additionalProp1`),
  ...under("litellm_settings", LITELLM_SETTINGS),
  ...under("litellm_settings.cache_params", CACHE_PARAMS),
  "callback_settings.otel",
  "callback_settings.otel.message_logging",
  ...under("general_settings", GENERAL_SETTINGS),
  ...under("router_settings", ROUTER_SETTINGS),
  ...under("environment_variables", ENVIRONMENT_VARIABLES),
];

/** Documented keys this runtime acts on: never in the warning. */
const ACTING = new Set<string>([
  ...words`environment_variables model_list litellm_settings callback_settings general_settings router_settings`,
  // Every variable goes into the config's own environment, where references and the providers read it.
  ...under("environment_variables", ENVIRONMENT_VARIABLES),
  // model_info is free-form: its keys reach callbacks (kwargs.litellm_params.model_info), prices and limits act.
  ...under("model_list[0]", words`model_name litellm_params model_info`),
  ...under("model_list[0].model_info", words`id mode input_cost_per_token output_cost_per_token max_tokens base_model additionalProp1`),
  ...under("litellm_settings", words`success_callback failure_callback callbacks turn_off_message_logging cache cache_params`),
  ...under("litellm_settings.cache_params", words`type host port password namespace ssl supported_call_types mode ttl`),
  // A callback's settings by name: they reach a built-in registered as "otel" (registerBuiltin), so they are kept and resolved.
  "callback_settings.otel",
  "callback_settings.otel.message_logging",
  ...under("general_settings", words`master_key allow_client_side_credentials`),
  ...under("router_settings", words`routing_strategy fallbacks content_policy_fallbacks context_window_fallbacks cooldown_time allowed_fails timeout num_retries retry_after`),
  // The router's shared state across instances, and the rate limits under every strategy.
  ...under("router_settings", words`redis_host redis_password redis_port redis_db redis_url optional_pre_call_checks`),
  // The cap on requests in flight per deployment (core/router/permits.ts).
  "router_settings.default_max_parallel_requests",
]);

/** Acting, owned elsewhere: other work makes these act; this test neither requires nor forbids them in the warning. */
const OWNED_ELSEWHERE = new Set<string>([
  ...under("litellm_settings", words`request_timeout default_fallbacks content_policy_fallbacks context_window_fallbacks`),
  ...under(
    "router_settings",
    words`retry_policy model_group_retry_policy allowed_fails_policy disable_cooldowns enable_pre_call_checks stream_timeout default_litellm_params model_group_alias default_fallbacks`,
  ),
]);

/** Documented keys that do nothing here: exactly what the warning must name. */
const IGNORED = DOCUMENTED.filter((p) => !ACTING.has(p) && !OWNED_ELSEWHERE.has(p));

/** `model_list[0].model_info.id` → ["model_list", 0, "model_info", "id"]. */
const segments = (path: string): Array<string | number> =>
  path.split(".").flatMap((part) => {
    const m = /^(.*)\[(\d+)\]$/.exec(part);
    return m ? [m[1]!, Number(m[2])] : [part];
  });

type Node = Record<string, unknown>;
const defs = CONFIG_SCHEMA.$defs as Record<string, Node>;
const deref = (n: Node): Node => (typeof n.$ref === "string" ? { ...defs[n.$ref.replace("#/$defs/", "")], ...n } : n);

/** The schema of a key, as a declared property or as an entry of an open mapping; undefined when the key is unknown. */
function schemaAt(path: string): Node | undefined {
  let node: Node = CONFIG_SCHEMA as Node;
  for (const seg of segments(path)) {
    const n = deref(node);
    // An object without additionalProperties is open (JSON Schema's default): the schema closes every object it owns.
    const open = n.additionalProperties === undefined ? true : n.additionalProperties;
    const next = typeof seg === "number" ? n.items : ((n.properties as Record<string, unknown> | undefined)?.[seg] ?? open);
    if (next === true) node = {};
    else if (next !== null && typeof next === "object") node = next as Node;
    else return undefined;
  }
  return node;
}

/** Whether the (YAML) data holds a value at the path. */
function holds(data: unknown, path: string): boolean {
  let node = data;
  for (const seg of segments(path)) {
    if (node === null || typeof node !== "object" || !Object.hasOwn(node, seg)) return false;
    node = (node as Record<string | number, unknown>)[seg];
  }
  return true;
}

/** The key paths a CONFIG_IGNORED_KEYS warning names. */
function named(w: ConfigIssue): Set<string> {
  const list = /no effect here: (.*)\. Remove/.exec(w.message)?.[1];
  return new Set(list ? list.split(", ") : []);
}

const without = (set: Iterable<string>, drop: ReadonlySet<string>): string[] => [...set].filter((p) => !drop.has(p)).sort();

describe("LiteLLM's documented config keys", () => {
  it("are listed once each, and each is acting, owned elsewhere or ignored", () => {
    expect(DOCUMENTED.length).toBeGreaterThan(800);
    expect(DOCUMENTED.filter((p, i) => DOCUMENTED.indexOf(p) !== i)).toEqual([]);
    expect([...ACTING, ...OWNED_ELSEWHERE].filter((p) => !DOCUMENTED.includes(p))).toEqual([]);
  });

  it("are all known to the schema, as settings or as ignored LiteLLM keys", () => {
    expect(DOCUMENTED.filter((p) => schemaAt(p) === undefined)).toEqual([]);
  });

  it("mark as ignored in the schema exactly the keys listed as doing nothing here", () => {
    // An ignored key's entries are not walked further, so only the documented keys themselves are compared.
    const marked = DOCUMENTED.filter((p) => schemaAt(p)?.["x-litellm-ignored"] === true);
    expect(without(marked, OWNED_ELSEWHERE)).toEqual([...IGNORED].sort());
  });

  it("are all in the fixture", () => {
    const data: unknown = parse(readFileSync(FIXTURE, "utf8"), { version: "1.1" });
    expect(DOCUMENTED.filter((p) => !holds(data, p))).toEqual([]);
  });
});

describe("the fixture holding every documented key", () => {
  it("loads without errors, with one CONFIG_IGNORED_KEYS warning naming exactly the keys that do nothing here", async () => {
    const loaded = await loadConfig(FIXTURE);
    const ignored = loaded.warnings.filter((w) => w.code === CONFIG_ERROR_CODES.ignoredKeys);
    expect(ignored).toHaveLength(1);
    const names = named(ignored[0]!);
    expect(without(names, OWNED_ELSEWHERE)).toEqual([...IGNORED].sort());
    // Said outright: no key this runtime acts on is called ignored.
    expect([...ACTING].filter((p) => names.has(p))).toEqual([]);
  });

  it("keeps references in ignored keys as written (their variables are set nowhere) and resolves the acting ones", async () => {
    const text = readFileSync(FIXTURE, "utf8");
    const unset = [...new Set(text.match(/LLRT_FIXTURE_UNSET_[A-Z_]+/g) ?? [])];
    expect(unset.length).toBeGreaterThan(5);
    expect(unset.filter((name) => process.env[name] !== undefined || ENVIRONMENT_VARIABLES.includes(name))).toEqual([]);
    const { config } = await loadConfig(FIXTURE);
    const general = config.general_settings as Record<string, unknown>;
    expect(general.database_url).toBe("os.environ/LLRT_FIXTURE_UNSET_DATABASE_URL");
    expect(general.litellm_license).toBe("os.environ/LLRT_FIXTURE_UNSET_LITELLM_LICENSE");
    expect((config.router_settings as Record<string, unknown>).redis_password).toBe("fixture-router-redis-password");
    expect(general.master_key).toBe("sk-fixture-master-key");
    expect(config.litellm_settings?.cache_params?.password).toBe("fixture-redis-password");
  });

  it("validates as a runtime would build it: callbacks, models and routing", async () => {
    const result = await validateConfig(FIXTURE);
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
    expect(result.models.sort()).toEqual(["claude-opus", "gpt-3.5-turbo-large", "gpt-3.5-turbo-small", "openai-embedding"]);
    expect(result.warnings.filter((w) => w.code === CONFIG_ERROR_CODES.ignoredKeys)).toHaveLength(1);
  });
});
