// Generated from docs/openapi.json by `npm run api:types` (openapi-typescript). Do not edit:
// `npm test` fails when this file differs from what the contract generates.

export interface paths {
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Healthz */
        get: operations["healthz_healthz_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readyz */
        get: operations["readyz_readyz_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/meta": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Meta */
        get: operations["meta_api_meta_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Login */
        post: operations["login_api_auth_login_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/register": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Register */
        post: operations["register_api_auth_register_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Me */
        get: operations["me_api_auth_me_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/amo-crm/auth-url": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Auth Url */
        get: operations["auth_url_api_amo_crm_auth_url_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/amo-crm/callback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Callback
         * @description Where amoCRM sends the browser after consent. Answers 200 with a page that hands over to
         *     the app (a 302 to a custom scheme is what made Safari say "cannot open the page").
         */
        get: operations["callback_api_amo_crm_callback_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/amo-crm/exchange-code": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Exchange Code */
        post: operations["exchange_code_api_amo_crm_exchange_code_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/amo-crm/disconnect": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Disconnect */
        post: operations["disconnect_api_amo_crm_disconnect_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/amo-crm/webhooks/disconnect": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Uninstall Hook */
        get: operations["uninstall_hook_api_amo_crm_webhooks_disconnect_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/amo-crm/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Status */
        get: operations["status_api_amo_crm_status_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/amo-crm/leads": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Leads
         * @description One page of the agent's mirror, filtered and sorted: ``data.items``, ``data.total`` (all
         *     matches), ``data.hasMore`` and ``data.nextCursor`` — pass it as ``cursor`` for the next
         *     page (a page's cost then stays flat however deep the scroll, and rows added or removed
         *     meanwhile neither repeat nor go missing). ``page`` still works (offset paging).
         */
        get: operations["list_leads_api_amo_crm_leads_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/amo-crm/leads/{lead_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Lead Detail
         * @description The caller's lead, whole: contacts with phones and e-mails, company, custom fields,
         *     the latest notes (newest first, at most 20) and the open tasks (soonest due first). A
         *     lead of another agent, or none, is 404 ``LEAD_NOT_FOUND``.
         */
        get: operations["lead_detail_api_amo_crm_leads__lead_id__get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/amo-crm/custom-fields": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Custom Fields
         * @description The lead custom fields the list filters by (``customField=<fieldId>:<enumId>``):
         *     select, multiselect and radio fields of the account with their enums.
         */
        get: operations["custom_fields_api_amo_crm_custom_fields_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/amo-crm/pipelines": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Pipelines */
        get: operations["pipelines_api_amo_crm_pipelines_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/amo-crm/sync": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start Sync
         * @description Ask for a sync: 202 with the sync state — ``queued``, or the sync already queued or
         *     running (never a second one), or ``failed`` while amoCRM's block lasts (it goes on by
         *     itself after). 409 ``AMO_RECONNECT_REQUIRED`` when amoCRM no longer accepts the
         *     connection.
         */
        post: operations["start_sync_api_amo_crm_sync_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/amo-crm/webhooks/leads/{secret}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Lead Webhook
         * @description amoCRM's lead events (form-encoded, v2 field names). Only the lead ids are used: each
         *     is read back from the API for every connection to that account, by the connection's
         *     re-fetch job.
         */
        post: operations["lead_webhook_api_amo_crm_webhooks_leads__secret__post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Users
         * @description Every user with their amoCRM connection (domain, account, needs reconnect) and last
         *     sync, by id.
         */
        get: operations["list_users_api_admin_users_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/users/{user_id}/disable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Disable User
         * @description Every JWT of the user is refused from the next request on (401 ``USER_DISABLED``), and
         *     sign-in answers 403; their connection and mirror stay until enabled or deleted.
         */
        post: operations["disable_user_api_admin_users__user_id__disable_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/users/{user_id}/enable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Enable User */
        post: operations["enable_user_api_admin_users__user_id__enable_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/users/{user_id}/reset-password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Reset Password
         * @description Sets the given password, or generates one and answers it this once; every JWT the user
         *     holds stops working (401 ``TOKEN_REVOKED``). 409 ``EXTERNAL_ACCOUNT`` for a user of the
         *     admin backend (their password lives there).
         */
        post: operations["reset_password_api_admin_users__user_id__reset_password_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/users/{user_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Delete User
         * @description The user, their amoCRM tokens, pending connect attempts and leads mirror. amoCRM has no
         *     endpoint to revoke an integration's tokens; the lead webhook is removed at amoCRM when this
         *     was the last connection to the account (see ``service.delete_user``).
         */
        delete: operations["delete_user_api_admin_users__user_id__delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Metrics
         * @description Every metric in Prometheus text format (docs/operations.md, "Metrics"). 404 when not
         *     served (turned off, or production without a token), 401 without the right token.
         */
        get: operations["metrics_metrics_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /**
         * AcceptedOut
         * @description A lead webhook's answer: how many lead ids it named (each is read back).
         */
        AcceptedOut: {
            /** Accepted */
            accepted: number;
        };
        /** AdminUserOut */
        AdminUserOut: {
            /** Id */
            id: number;
            /** Email */
            email: string;
            /** Name */
            name: string;
            /** Isadmin */
            isAdmin: boolean;
            /** Disabled */
            disabled: boolean;
            /** Disabledat */
            disabledAt: string | null;
            /**
             * Createdat
             * Format: date-time
             */
            createdAt: string;
            /** External */
            external: boolean;
            /** Haspassword */
            hasPassword: boolean;
            amocrm: components["schemas"]["foryou_crm__connections__status__StatusOut"];
        };
        /** AdminUsersPage */
        AdminUsersPage: {
            /** Items */
            items: components["schemas"]["AdminUserOut"][];
            /** Total */
            total: number;
            /** Page */
            page: number;
            /** Limit */
            limit: number;
            /** Hasmore */
            hasMore: boolean;
        };
        /** AuthUrlOut */
        AuthUrlOut: {
            /** Url */
            url: string;
            /** State */
            state: string;
            /**
             * Expiresat
             * Format: date-time
             */
            expiresAt: string;
        };
        /** CompanyOut */
        CompanyOut: {
            /** Id */
            id: number;
            /** Name */
            name: string | null;
        };
        /** ContactDetailOut */
        ContactDetailOut: {
            /** Id */
            id: number;
            /** Name */
            name: string | null;
            /** Phone */
            phone: string | null;
            /**
             * Ismain
             * @default false
             */
            isMain: boolean;
            /** Phones */
            phones: components["schemas"]["TypedValueOut"][];
            /** Emails */
            emails: components["schemas"]["TypedValueOut"][];
            /** Position */
            position: string | null;
        };
        /**
         * ContactOut
         * @description A lead's contact as the list shows it; the main contact comes first.
         */
        ContactOut: {
            /** Id */
            id: number;
            /** Name */
            name: string | null;
            /** Phone */
            phone: string | null;
            /**
             * Ismain
             * @default false
             */
            isMain: boolean;
        };
        /** CustomFieldOut */
        CustomFieldOut: {
            /** Id */
            id: number;
            /** Name */
            name: string;
            /** Type */
            type: string;
            /** Code */
            code: string | null;
            /** Values */
            values: components["schemas"]["CustomValueOut"][];
        };
        /** CustomValueOut */
        CustomValueOut: {
            /** Value */
            value: unknown;
            /** Enumid */
            enumId: number | null;
        };
        /** DeletedOut */
        DeletedOut: {
            /** Id */
            id: number;
            /** Connectionremoved */
            connectionRemoved: boolean;
            /** Amocrmwebhookremoved */
            amocrmWebhookRemoved: boolean;
        };
        /**
         * EndedOut
         * @description Why the connection ended (or, with ``needsReconnect``, stopped working) and when; shown
         *     until the user connects again.
         */
        EndedOut: {
            /**
             * Reason
             * @enum {string}
             */
            reason: "agent_disconnected" | "integration_removed" | "refresh_refused" | "admin_removed";
            /**
             * At
             * Format: date-time
             */
            at: string;
            /** Domain */
            domain: string;
        };
        /** EnumOut */
        EnumOut: {
            /** Id */
            id: number;
            /** Value */
            value: string;
        };
        /** Envelope[AcceptedOut] */
        Envelope_AcceptedOut_: {
            /**
             * Success
             * @default true
             * @constant
             */
            success: true;
            data: components["schemas"]["AcceptedOut"];
        };
        /** Envelope[AdminUserOut] */
        Envelope_AdminUserOut_: {
            /**
             * Success
             * @default true
             * @constant
             */
            success: true;
            data: components["schemas"]["AdminUserOut"];
        };
        /** Envelope[AdminUsersPage] */
        Envelope_AdminUsersPage_: {
            /**
             * Success
             * @default true
             * @constant
             */
            success: true;
            data: components["schemas"]["AdminUsersPage"];
        };
        /** Envelope[AuthUrlOut] */
        Envelope_AuthUrlOut_: {
            /**
             * Success
             * @default true
             * @constant
             */
            success: true;
            data: components["schemas"]["AuthUrlOut"];
        };
        /** Envelope[DeletedOut] */
        Envelope_DeletedOut_: {
            /**
             * Success
             * @default true
             * @constant
             */
            success: true;
            data: components["schemas"]["DeletedOut"];
        };
        /** Envelope[FilterFieldsOut] */
        Envelope_FilterFieldsOut_: {
            /**
             * Success
             * @default true
             * @constant
             */
            success: true;
            data: components["schemas"]["FilterFieldsOut"];
        };
        /** Envelope[PasswordResetOut] */
        Envelope_PasswordResetOut_: {
            /**
             * Success
             * @default true
             * @constant
             */
            success: true;
            data: components["schemas"]["PasswordResetOut"];
        };
        /** Envelope[PipelinesOut] */
        Envelope_PipelinesOut_: {
            /**
             * Success
             * @default true
             * @constant
             */
            success: true;
            data: components["schemas"]["PipelinesOut"];
        };
        /** Envelope[StatusOut] */
        Envelope_StatusOut_: {
            /**
             * Success
             * @default true
             * @constant
             */
            success: true;
            data: components["schemas"]["foryou_crm__connections__status__StatusOut"];
        };
        /** Envelope[SyncOut] */
        Envelope_SyncOut_: {
            /**
             * Success
             * @default true
             * @constant
             */
            success: true;
            data: components["schemas"]["SyncOut"];
        };
        /** Envelope[TokenOut] */
        Envelope_TokenOut_: {
            /**
             * Success
             * @default true
             * @constant
             */
            success: true;
            data: components["schemas"]["TokenOut"];
        };
        /** Envelope[UninstallOut] */
        Envelope_UninstallOut_: {
            /**
             * Success
             * @default true
             * @constant
             */
            success: true;
            data: components["schemas"]["UninstallOut"];
        };
        /** Envelope[UserOut] */
        Envelope_UserOut_: {
            /**
             * Success
             * @default true
             * @constant
             */
            success: true;
            data: components["schemas"]["foryou_crm__users__schemas__UserOut"];
        };
        /** ExchangeCodeIn */
        ExchangeCodeIn: {
            /** Code */
            code: string;
            /** State */
            state: string;
            /** Appverifier */
            appVerifier?: string | null;
        };
        /** FilterFieldOut */
        FilterFieldOut: {
            /** Id */
            id: number;
            /** Name */
            name: string;
            /** Type */
            type: string;
            /** Enums */
            enums: components["schemas"]["EnumOut"][];
        };
        /** FilterFieldsOut */
        FilterFieldsOut: {
            /** Fields */
            fields: components["schemas"]["FilterFieldOut"][];
        };
        /** LeadDetailEnvelope */
        LeadDetailEnvelope: {
            /**
             * Success
             * @default true
             */
            success: boolean;
            data: components["schemas"]["LeadDetailOut"];
        };
        /** LeadDetailOut */
        LeadDetailOut: {
            /** Id */
            id: number;
            /** Name */
            name: string;
            /** Price */
            price: number;
            /** Statusid */
            statusId: number;
            /** Statusname */
            statusName: string | null;
            /** Statuscolor */
            statusColor: string | null;
            /** Pipelineid */
            pipelineId: number;
            /** Pipelinename */
            pipelineName: string | null;
            /** Responsibleuserid */
            responsibleUserId: number | null;
            /** Responsibleusername */
            responsibleUserName: string | null;
            /**
             * Createdat
             * Format: date-time
             */
            createdAt: string;
            /**
             * Updatedat
             * Format: date-time
             */
            updatedAt: string;
            /** Closedat */
            closedAt: string | null;
            /** Tags */
            tags: string[];
            /** Contacts */
            contacts: components["schemas"]["ContactDetailOut"][];
            /** Currency */
            currency: string | null;
            /** Url */
            url: string;
            company: components["schemas"]["CompanyOut"] | null;
            /** Customfields */
            customFields: components["schemas"]["CustomFieldOut"][];
            /** Notes */
            notes: components["schemas"]["NoteOut"][];
            /** Tasks */
            tasks: components["schemas"]["TaskOut"][];
        };
        /** LeadOut */
        LeadOut: {
            /** Id */
            id: number;
            /** Name */
            name: string;
            /** Price */
            price: number;
            /** Statusid */
            statusId: number;
            /** Statusname */
            statusName: string | null;
            /** Statuscolor */
            statusColor: string | null;
            /** Pipelineid */
            pipelineId: number;
            /** Pipelinename */
            pipelineName: string | null;
            /** Responsibleuserid */
            responsibleUserId: number | null;
            /** Responsibleusername */
            responsibleUserName: string | null;
            /**
             * Createdat
             * Format: date-time
             */
            createdAt: string;
            /**
             * Updatedat
             * Format: date-time
             */
            updatedAt: string;
            /** Closedat */
            closedAt: string | null;
            /** Tags */
            tags: string[];
            /** Contacts */
            contacts: components["schemas"]["ContactOut"][];
            /** Currency */
            currency: string | null;
            /** Url */
            url: string;
        };
        /** LeadsEnvelope */
        LeadsEnvelope: {
            /**
             * Success
             * @default true
             */
            success: boolean;
            data: components["schemas"]["LeadsPageOut"];
        };
        /** LeadsPageOut */
        LeadsPageOut: {
            /** Items */
            items: components["schemas"]["LeadOut"][];
            /** Page */
            page: number;
            /** Limit */
            limit: number;
            /** Total */
            total: number;
            /** Hasmore */
            hasMore: boolean;
            /** Nextcursor */
            nextCursor: string | null;
            sync: components["schemas"]["SyncOut"];
        };
        /** LoginIn */
        LoginIn: {
            /**
             * Email
             * Format: email
             */
            email: string;
            /** Password */
            password: string;
        };
        /** NoteOut */
        NoteOut: {
            /** Id */
            id: number;
            /** Type */
            type: string;
            /** Text */
            text: string;
            /**
             * Createdat
             * Format: date-time
             */
            createdAt: string;
            /** Createdby */
            createdBy: number | null;
            /** Params */
            params: {
                [key: string]: unknown;
            };
        };
        /** PasswordResetOut */
        PasswordResetOut: {
            user: components["schemas"]["AdminUserOut"];
            /** Generatedpassword */
            generatedPassword: string | null;
        };
        /** PipelineOut */
        PipelineOut: {
            /** Id */
            id: number;
            /** Name */
            name: string;
            /** Sort */
            sort: number;
            /** Ismain */
            isMain: boolean;
            /** Statuses */
            statuses: components["schemas"]["foryou_crm__leads__schemas__StatusOut"][];
        };
        /** PipelinesOut */
        PipelinesOut: {
            /** Pipelines */
            pipelines: components["schemas"]["PipelineOut"][];
            /** Users */
            users: components["schemas"]["foryou_crm__leads__schemas__UserOut"][];
        };
        /** RegisterIn */
        RegisterIn: {
            /**
             * Email
             * Format: email
             */
            email: string;
            /** Password */
            password: string;
            /**
             * Name
             * @default
             */
            name: string;
        };
        /** ResetPasswordIn */
        ResetPasswordIn: {
            /** Password */
            password?: string | null;
        };
        /** SyncOut */
        SyncOut: {
            /**
             * State
             * @default idle
             * @enum {string}
             */
            state: "idle" | "queued" | "running" | "failed";
            /**
             * Progress
             * @default 0
             */
            progress: number;
            /** Lastsyncedat */
            lastSyncedAt: string | null;
            /**
             * Leads
             * @default 0
             */
            leads: number;
            /** Error */
            error: string | null;
        };
        /** TaskOut */
        TaskOut: {
            /** Id */
            id: number;
            /** Text */
            text: string;
            /**
             * Completetill
             * Format: date-time
             */
            completeTill: string;
            /** Tasktypeid */
            taskTypeId: number | null;
            /** Responsibleuserid */
            responsibleUserId: number | null;
        };
        /** TokenOut */
        TokenOut: {
            /** Accesstoken */
            accessToken: string;
            /**
             * Tokentype
             * @default Bearer
             */
            tokenType: string;
            /** Expiresin */
            expiresIn: number;
            user: components["schemas"]["foryou_crm__users__schemas__UserOut"];
        };
        /** TypedValueOut */
        TypedValueOut: {
            /** Value */
            value: string;
            /** Type */
            type: string | null;
        };
        /** UninstallOut */
        UninstallOut: {
            /** Connectionsremoved */
            connectionsRemoved: number;
        };
        /** StatusOut */
        foryou_crm__connections__status__StatusOut: {
            /** Connected */
            connected: boolean;
            /** Hastokens */
            hasTokens: boolean;
            /** Domain */
            domain: string | null;
            /** Accountid */
            accountId: string | null;
            /** Accountname */
            accountName: string | null;
            /** Currency */
            currency: string | null;
            /** Currencysymbol */
            currencySymbol: string | null;
            /** Platform */
            platform: ("amocrm" | "kommo") | null;
            /** Connectedat */
            connectedAt: string | null;
            /**
             * Needsreconnect
             * @default false
             */
            needsReconnect: boolean;
            sync: components["schemas"]["SyncOut"] | null;
            ended: components["schemas"]["EndedOut"] | null;
        };
        /** StatusOut */
        foryou_crm__leads__schemas__StatusOut: {
            /** Id */
            id: number;
            /** Name */
            name: string;
            /** Color */
            color: string | null;
            /** Sort */
            sort: number;
            /** Type */
            type: number;
        };
        /** UserOut */
        foryou_crm__leads__schemas__UserOut: {
            /** Id */
            id: number;
            /** Name */
            name: string;
        };
        /** UserOut */
        foryou_crm__users__schemas__UserOut: {
            /** Id */
            id: number;
            /** Email */
            email: string;
            /** Name */
            name: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    healthz_healthz_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    readyz_readyz_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description amoCRM or the database unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
        };
    };
    meta_api_meta_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    login_api_auth_login_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["LoginIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_TokenOut_"];
                };
            };
            /** @description Missing, malformed or expired JWT */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Validation error: `details.fields` names each field */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Too many requests: wait `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
        };
    };
    register_api_auth_register_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RegisterIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_TokenOut_"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Validation error: `details.fields` names each field */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
        };
    };
    me_api_auth_me_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_UserOut_"];
                };
            };
            /** @description Missing, malformed or expired JWT */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
        };
    };
    auth_url_api_amo_crm_auth_url_get: {
        parameters: {
            query?: {
                client?: "mobile" | "web";
                appChallenge?: string | null;
                returnTo?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_AuthUrlOut_"];
                };
            };
            /** @description Bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Missing, malformed or expired JWT */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Validation error: `details.fields` names each field */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Too many requests: wait `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
        };
    };
    callback_api_amo_crm_callback_get: {
        parameters: {
            query?: {
                code?: string | null;
                state?: string | null;
                referer?: string | null;
                platform?: string | null;
                error?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
            /** @description Validation error: `details.fields` names each field */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
        };
    };
    exchange_code_api_amo_crm_exchange_code_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ExchangeCodeIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_StatusOut_"];
                };
            };
            /** @description Bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Missing, malformed or expired JWT */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Validation error: `details.fields` names each field */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Too many requests: wait `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
        };
    };
    disconnect_api_amo_crm_disconnect_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_StatusOut_"];
                };
            };
            /** @description Missing, malformed or expired JWT */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
        };
    };
    uninstall_hook_api_amo_crm_webhooks_disconnect_get: {
        parameters: {
            query?: {
                client_uuid?: string | null;
                account_id?: string | null;
                signature?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_UninstallOut_"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Validation error: `details.fields` names each field */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
        };
    };
    status_api_amo_crm_status_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_StatusOut_"];
                };
            };
            /** @description Missing, malformed or expired JWT */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
        };
    };
    list_leads_api_amo_crm_leads_get: {
        parameters: {
            query?: {
                query?: string | null;
                pipelineId?: number | null;
                statusId?: number[] | null;
                responsibleUserId?: number[] | null;
                tag?: string | null;
                customField?: string[] | null;
                priceFrom?: number | null;
                priceTo?: number | null;
                createdFrom?: string | null;
                createdTo?: string | null;
                updatedFrom?: string | null;
                updatedTo?: string | null;
                sort?: "-createdAt" | "createdAt" | "updatedAt" | "-updatedAt" | "price" | "-price";
                page?: number;
                limit?: number;
                cursor?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LeadsEnvelope"];
                };
            };
            /** @description Missing, malformed or expired JWT */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Validation error: `details.fields` names each field */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
        };
    };
    lead_detail_api_amo_crm_leads__lead_id__get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description amoCRM's lead id */
                lead_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LeadDetailEnvelope"];
                };
            };
            /** @description Missing, malformed or expired JWT */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Validation error: `details.fields` names each field */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
        };
    };
    custom_fields_api_amo_crm_custom_fields_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_FilterFieldsOut_"];
                };
            };
            /** @description Missing, malformed or expired JWT */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
        };
    };
    pipelines_api_amo_crm_pipelines_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_PipelinesOut_"];
                };
            };
            /** @description Missing, malformed or expired JWT */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
        };
    };
    start_sync_api_amo_crm_sync_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_SyncOut_"];
                };
            };
            /** @description Missing, malformed or expired JWT */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Too many requests: wait `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
        };
    };
    lead_webhook_api_amo_crm_webhooks_leads__secret__post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                secret: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_AcceptedOut_"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Validation error: `details.fields` names each field */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Too many requests: wait `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
        };
    };
    list_users_api_admin_users_get: {
        parameters: {
            query?: {
                page?: number;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_AdminUsersPage_"];
                };
            };
            /** @description Missing, malformed or expired JWT */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Validation error: `details.fields` names each field */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
        };
    };
    disable_user_api_admin_users__user_id__disable_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                user_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_AdminUserOut_"];
                };
            };
            /** @description Missing, malformed or expired JWT */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Validation error: `details.fields` names each field */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
        };
    };
    enable_user_api_admin_users__user_id__enable_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                user_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_AdminUserOut_"];
                };
            };
            /** @description Missing, malformed or expired JWT */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Validation error: `details.fields` names each field */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
        };
    };
    reset_password_api_admin_users__user_id__reset_password_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                user_id: number;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["ResetPasswordIn"] | null;
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_PasswordResetOut_"];
                };
            };
            /** @description Missing, malformed or expired JWT */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Validation error: `details.fields` names each field */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
        };
    };
    delete_user_api_admin_users__user_id__delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                user_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_DeletedOut_"];
                };
            };
            /** @description Missing, malformed or expired JWT */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Validation error: `details.fields` names each field */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
        };
    };
    metrics_metrics_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Prometheus text format */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain; version=0.0.4; charset=utf-8": unknown;
                };
            };
            /** @description Missing, malformed or expired JWT */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: false;
                        error: {
                            code: string;
                            message: string;
                            details?: unknown;
                        };
                    };
                };
            };
        };
    };
}
