export namespace apierr {
	
	export interface Detail {
	    field: string;
	    code: string;
	    message: string;
	    severity: string;
	}
	export interface Body {
	    code: string;
	    message: string;
	    doc_url: string;
	    field?: string;
	    details?: Detail[];
	}

}

export namespace app {
	
	export interface BuildInfo {
	    name: string;
	    version: string;
	    build_type: string;
	    commit: string;
	    go_version: string;
	    wails_version: string;
	    os: string;
	    arch: string;
	    started_at: string;
	}
	export interface Pong {
	    reply: string;
	    count: number;
	    received_at: string;
	    uptime_ms: number;
	}

}

export namespace cache {
	
	export interface Draft {
	    conversation_id: number;
	    body: string;
	    updated_at: string;
	}
	export interface InboxPage {
	    conversations: domain.Conversation[];
	    next_cursor: string;
	    has_more: boolean;
	}
	export interface InboxQuery {
	    tab: string;
	    status: string;
	    cursor: string;
	    limit: number;
	}
	export interface TextPart {
	    text: string;
	    match: boolean;
	}
	export interface MessageHit {
	    message: domain.Message;
	    contact_name: string;
	    contact_phone: string;
	    snippet: TextPart[];
	}
	export interface MessagePage {
	    messages: domain.Message[];
	    notes: domain.Note[];
	    cursor: string;
	    has_more: boolean;
	}
	export interface NoteWrite {
	    body: string;
	}
	export interface OutboxAttachment {
	    filename: string;
	    mime_type: string;
	    size: number;
	}
	export interface ReactionWrite {
	    message_id: number;
	    emoji: string;
	}
	export interface ReadWrite {
	    message_id: number;
	}
	export interface OutboxItem {
	    key: string;
	    local_id: number;
	    kind: string;
	    conversation_id: number;
	    state: string;
	    note?: NoteWrite;
	    patch?: wire.ConversationPatch;
	    read?: ReadWrite;
	    reaction?: ReactionWrite;
	    type: string;
	    content?: unknown;
	    template?: wire.TemplateRequest;
	    reply_to?: number;
	    preview: string;
	    attachment?: OutboxAttachment;
	    media_id?: string;
	    attempts: number;
	    error?: apierr.Body;
	    created_at: string;
	    updated_at: string;
	}
	
	
	export interface SearchResults {
	    query: string;
	    conversations: domain.Conversation[];
	    messages: MessageHit[];
	}
	export interface TabCount {
	    total: number;
	    unanswered: number;
	}
	export interface TabCounts {
	    mine: TabCount;
	    unassigned: TabCount;
	    all: TabCount;
	}

}

export namespace desktop {
	
	export interface Clock {
	    offset_ms: number;
	    now: string;
	}
	export interface ConversationView {
	    conversation: domain.Conversation;
	    messages: domain.Message[];
	    notes: domain.Note[];
	    cursor: string;
	    has_more: boolean;
	    pending: cache.OutboxItem[];
	    draft: cache.Draft;
	    window_open: boolean;
	    can_message: boolean;
	    reason: string;
	}
	export interface MediaFile {
	    mime_type: string;
	    filename: string;
	    url: string;
	    size: number;
	}
	export interface MediaUpload {
	    filename: string;
	    mime_type: string;
	    data: string;
	    caption?: string;
	}
	export interface SandboxCustomer {
	    phone: string;
	    name: string;
	    locale: string;
	    opted_out: boolean;
	}
	export interface SendInput {
	    type: string;
	    content: unknown;
	    reply_to?: number;
	}
	export interface Status {
	    signed_in: boolean;
	    mode: string;
	    hub_url: string;
	    user?: domain.User | null;
	    sync: syncer.Status;
	    pending: number;
	    demo_available: boolean;
	    dev_controls: boolean;
	    clock_offset_ms: number;
	}
	export interface SyncState {
	    state: string;
	    seq: number;
	    error?: apierr.Body;
	    retry_at?: string;
	    since: string;
	    pending: number;
	}
	export interface TemplateButtonPreview {
	    type: string;
	    text: string;
	    url?: string;
	}
	export interface TemplateField {
	    key: string;
	    label: string;
	    component: string;
	    kind: string;
	    example: string;
	    required: boolean;
	}
	export interface TemplatePreview {
	    header_format: string;
	    header: string;
	    body: string;
	    footer: string;
	    buttons: TemplateButtonPreview[];
	}
	export interface TemplateForm {
	    template: domain.Template;
	    fields: TemplateField[];
	    preview: TemplatePreview;
	    missing: string[];
	    unknown: string[];
	    sendable: boolean;
	    problem: string;
	}
	export interface TemplateLimits {
	    name: number;
	    header_text: number;
	    body: number;
	    footer: number;
	    button_text: number;
	    url: number;
	    phone_number: number;
	    copy_code: number;
	    buttons: number;
	    quick_replies: number;
	    url_buttons: number;
	    phone_buttons: number;
	    code_expiration_minutes: number;
	    offer_text: number;
	    carousel_cards: number;
	    carousel_card_body: number;
	    header_variables: number;
	}
	
	export interface TemplateStudioInfo {
	    rules: whatsapp.TemplateRule[];
	    languages: whatsapp.SupportedLanguage[];
	    limits: TemplateLimits;
	}

}

export namespace domain {
	
	export interface Account {
	    id: string;
	    waba_id: string;
	    display_phone_number: string;
	    verified_name: string;
	    status: string;
	    quality_rating: string;
	    throughput_mps: number;
	    messages_in: number;
	    messages_out: number;
	    created_at: string;
	    updated_at: string;
	    configured: boolean;
	}
	export interface Contact {
	    id: number;
	    phone?: string;
	    wa_id?: string;
	    user_id?: string;
	    name: string;
	    profile_name?: string;
	    opted_out: boolean;
	    opted_out_at?: string;
	    attributes?: Record<string, string>;
	    created_at: string;
	    updated_at: string;
	}
	export interface Referral {
	    source_url?: string;
	    source_id?: string;
	    source_type?: string;
	    headline?: string;
	    body?: string;
	    media_type?: string;
	    image_url?: string;
	    video_url?: string;
	    thumbnail_url?: string;
	    ctwa_clid?: string;
	}
	export interface MessagePreview {
	    id: number;
	    direction: string;
	    type: string;
	    preview: string;
	    status: string;
	    at: string;
	}
	export interface Conversation {
	    id: number;
	    account_id: string;
	    contact: Contact;
	    status: string;
	    assignee_id?: number | null;
	    team: string;
	    snoozed_until?: string;
	    window_expires_at?: string | null;
	    unanswered: boolean;
	    waiting_since?: string | null;
	    unread_count: number;
	    last_message?: MessagePreview;
	    last_activity_at: string;
	    referral?: Referral;
	    created_at: string;
	    updated_at: string;
	    account_unconfigured?: boolean;
	}
	export interface Counters {
	    total: number;
	    unassigned: number;
	    by_agent: Record<string, number> | null;
	    by_team: Record<string, number> | null;
	    oldest_waiting_since?: string | null;
	}
	export interface MessageError {
	    code: number;
	    title: string;
	    message?: string;
	    details?: string;
	}
	export interface Reaction {
	    emoji: string;
	    from: string;
	    at: string;
	}
	export interface Message {
	    id: number;
	    wamid?: string;
	    conversation_id: number;
	    account_id: string;
	    direction: string;
	    type: string;
	    content: unknown;
	    preview: string;
	    from: string;
	    to: string;
	    reply_to?: number;
	    forwarded?: boolean;
	    reactions: Reaction[];
	    status: string;
	    error?: MessageError;
	    author_id?: number;
	    timestamp: string;
	    sent_at?: string;
	    delivered_at?: string;
	    read_at?: string;
	    created_at: string;
	    updated_at: string;
	    account_unconfigured?: boolean;
	}
	
	
	export interface Note {
	    id: number;
	    conversation_id: number;
	    author_id: number;
	    body: string;
	    created_at: string;
	}
	
	
	export interface TemplateCategoryChange {
	    pending: boolean;
	    current?: string;
	    correct?: string;
	    effective_at?: string | null;
	    previous?: string;
	    new?: string;
	    at: string;
	}
	export interface TemplateStatusInfo {
	    title?: string;
	    description?: string;
	    disabled_at?: string | null;
	}
	export interface TemplateRejection {
	    reason: string;
	    recommendation?: string;
	}
	export interface Template {
	    id: string;
	    waba_id: string;
	    name: string;
	    language: string;
	    category: string;
	    status: string;
	    quality: string;
	    parameter_format: string;
	    components: unknown;
	    rejected_reason?: string;
	    rejection_info?: TemplateRejection;
	    status_info?: TemplateStatusInfo;
	    category_change?: TemplateCategoryChange;
	    updated_at: string;
	}
	
	
	
	export interface User {
	    id: number;
	    email: string;
	    name: string;
	    role: string;
	    teams: string[];
	    disabled: boolean;
	    created_at: string;
	    updated_at: string;
	}

}

export namespace syncer {
	
	export interface Status {
	    state: string;
	    seq: number;
	    error?: apierr.Body;
	    retry_at?: string;
	    since: string;
	}

}

export namespace whatsapp {
	
	export interface Currency {
	    fallback_value: string;
	    code: string;
	    amount_1000: number;
	}
	export interface DateTime {
	    fallback_value: string;
	}
	export interface LimitedTimeOffer {
	    text: string;
	    has_expiration?: boolean | null;
	}
	export interface Location {
	    latitude: number;
	    longitude: number;
	    name?: string;
	    address?: string;
	    url?: string;
	}
	export interface MediaObject {
	    id?: string;
	    link?: string;
	    caption?: string;
	    filename?: string;
	}
	export interface NamedParamExample {
	    param_name: string;
	    example: string;
	}
	export interface SupportedApp {
	    package_name: string;
	    signature_hash: string;
	}
	export interface SupportedLanguage {
	    code: string;
	    name: string;
	    rtl: boolean;
	}
	export interface TemplateQuality {
	    score: string;
	}
	export interface TemplateCard {
	    components: TemplateComponentDef[];
	}
	export interface TemplateButton {
	    type: string;
	    text?: string;
	    url?: string;
	    phone_number?: string;
	    example?: unknown;
	    otp_type?: string;
	    autofill_text?: string;
	    package_name?: string;
	    signature_hash?: string;
	    supported_apps?: SupportedApp[];
	    zero_tap_terms_accepted?: boolean | null;
	    flow_id?: string;
	    flow_name?: string;
	    flow_json?: string;
	    flow_action?: string;
	    navigate_screen?: string;
	}
	export interface TemplateExample {
	    header_text?: string[];
	    header_text_named_params?: NamedParamExample[];
	    header_handle?: string[];
	    body_text?: string[][];
	    body_text_named_params?: NamedParamExample[];
	}
	export interface TemplateComponentDef {
	    type: string;
	    format?: string;
	    text?: string;
	    example?: TemplateExample;
	    buttons?: TemplateButton[];
	    add_security_recommendation?: boolean | null;
	    code_expiration_minutes?: number | null;
	    cards?: TemplateCard[];
	    limited_time_offer?: LimitedTimeOffer;
	}
	export interface Template {
	    id?: string;
	    name: string;
	    language: string;
	    status?: string;
	    category?: string;
	    parameter_format?: string;
	    components: TemplateComponentDef[];
	    rejected_reason?: string;
	    quality_score?: TemplateQuality;
	}
	
	
	export interface TemplateParameter {
	    type: string;
	    parameter_name?: string;
	    text?: string;
	    payload?: string;
	    coupon_code?: string;
	    currency?: Currency;
	    date_time?: DateTime;
	    image?: MediaObject;
	    video?: MediaObject;
	    document?: MediaObject;
	    location?: Location;
	}
	export interface TemplateComponent {
	    type: string;
	    sub_type?: string;
	    index?: number;
	    parameters?: TemplateParameter[];
	}
	
	
	
	
	export interface TemplateRule {
	    code: string;
	    severity: string;
	    rule: string;
	    source: string;
	}

}

export namespace wire {
	
	export interface ConversationPatch {
	    status?: string;
	    assignee_id?: number | null;
	    team?: string;
	    snoozed_until?: string;
	}
	export interface TemplateRequest {
	    name: string;
	    language: string;
	    variables?: Record<string, any>;
	    components?: whatsapp.TemplateComponent[];
	}
	export interface TemplateValidation {
	    valid: boolean;
	    findings: apierr.Detail[];
	}

}

