#ifndef SWITCHD_COSIP_SHIM_H
#define SWITCHD_COSIP_SHIM_H

// Thin C helpers for the parts of libosip2 that Swift cannot import directly:
// function-like macros, `char *` parameters that should be `const`, and a
// trace callback that takes a `va_list`. Every symbol is prefixed `switchd_`
// so it cannot collide with osip's own names. The helpers below that hold no
// state stay `static inline` here; the one with state is in osip_trace.c.

#include <stdlib.h>  // osip_free expands to free()
#include <osipparser2/osip_parser.h>
#include <osipparser2/osip_port.h>

// `osip_free` is a macro (it dispatches to a user allocator if one is set),
// so Swift cannot call it. Frees strings returned by osip (`*_to_str`).
static inline void switchd_osip_free(void *p) {
    osip_free(p);
}

// `osip_generic_param_get_byname` (and the per-header `*_param_get_byname`
// macros built on it) is a macro and takes a non-const `char *` name.
// Returns the parameter, or NULL when absent. Name lookup is case-insensitive.
static inline osip_generic_param_t *switchd_param_get(osip_list_t *params, const char *name) {
    osip_generic_param_t *dest = NULL;
    if (params == NULL) return NULL;
    if (osip_generic_param_get_byname(params, (char *)name, &dest) != OSIP_SUCCESS) return NULL;
    return dest;
}

// `osip_via_param_get_byname` is a macro over the via's embedded param list.
static inline osip_generic_param_t *switchd_via_param(osip_via_t *via, const char *name) {
    return via == NULL ? NULL : switchd_param_get(&via->via_params, name);
}

// `osip_from_get_tag` / `osip_to_get_tag` are macros. To is a typedef of From.
// Returns the tag value (may be NULL for a valueless `;tag`), NULL when absent.
// `*present` tells the two cases apart.
static inline const char *switchd_from_tag(osip_from_t *from, int *present) {
    *present = 0;
    if (from == NULL) return NULL;
    osip_generic_param_t *p = switchd_param_get(&from->gen_params, "tag");
    if (p == NULL) return NULL;
    *present = 1;
    return p->gvalue;
}

// The osip_list_t of Vias is embedded in the message struct; Swift could reach
// it, but keeping list walking in C keeps the Swift side free of list casts.
static inline int switchd_via_count(osip_message_t *msg) {
    return osip_list_size(&msg->vias);
}
static inline osip_via_t *switchd_via_at(osip_message_t *msg, int pos) {
    return (osip_via_t *)osip_list_get(&msg->vias, pos);
}

// Parses one header value with osip's parser for that kind of header and
// frees the result. Used only after a whole-message parse failed, to name the
// header osip refused. Kept in C because the init/parse/free triples differ
// per type and To/Route/Record-Route reach osip_from_* only through macros.
enum switchd_probe_kind {
    SWITCHD_PROBE_VIA = 0,
    SWITCHD_PROBE_NAME_ADDR = 1,   /* From, To, Route, Record-Route */
    SWITCHD_PROBE_CONTACT = 2,
    SWITCHD_PROBE_CSEQ = 3,
    SWITCHD_PROBE_CALL_ID = 4,
    SWITCHD_PROBE_CONTENT_TYPE = 5,
};

static inline int switchd_probe_header(int kind, const char *value) {
    int rc = OSIP_SYNTAXERROR;
    switch (kind) {
    case SWITCHD_PROBE_VIA: {
        osip_via_t *h = NULL;
        if (osip_via_init(&h) != OSIP_SUCCESS) return OSIP_NOMEM;
        rc = osip_via_parse(h, value);
        osip_via_free(h);
        break;
    }
    case SWITCHD_PROBE_NAME_ADDR: {
        osip_from_t *h = NULL;
        if (osip_from_init(&h) != OSIP_SUCCESS) return OSIP_NOMEM;
        rc = osip_from_parse(h, value);
        osip_from_free(h);
        break;
    }
    case SWITCHD_PROBE_CONTACT: {
        osip_contact_t *h = NULL;
        if (osip_contact_init(&h) != OSIP_SUCCESS) return OSIP_NOMEM;
        rc = osip_contact_parse(h, value);
        osip_contact_free(h);
        break;
    }
    case SWITCHD_PROBE_CSEQ: {
        osip_cseq_t *h = NULL;
        if (osip_cseq_init(&h) != OSIP_SUCCESS) return OSIP_NOMEM;
        rc = osip_cseq_parse(h, value);
        osip_cseq_free(h);
        break;
    }
    case SWITCHD_PROBE_CALL_ID: {
        osip_call_id_t *h = NULL;
        if (osip_call_id_init(&h) != OSIP_SUCCESS) return OSIP_NOMEM;
        rc = osip_call_id_parse(h, value);
        osip_call_id_free(h);
        break;
    }
    case SWITCHD_PROBE_CONTENT_TYPE: {
        osip_content_type_t *h = NULL;
        if (osip_content_type_init(&h) != OSIP_SUCCESS) return OSIP_NOMEM;
        rc = osip_content_type_parse(h, value);
        osip_content_type_free(h);
        break;
    }
    default:
        rc = OSIP_SUCCESS;
    }
    return rc;
}

// osip's first complaint since the last clear, kept per thread for the Swift
// side (osip logs the specific cause first, then generic "error in ..." lines
// while unwinding). The buffer, the trace callback (it receives a `va_list`,
// which Swift cannot format) and these three functions are defined once, in
// osip_trace.c: state in a header would exist once per object file that
// includes it (a `static` buffer in a `static inline` function is one buffer
// per translation unit, and every Swift file importing COsip is one), so the
// callback would write one copy and the reader read another.

// Installs the trace callback for levels below OSIP_WARNING, i.e. fatal, bug
// and error (the level argument is exclusive; info levels would cost a
// vsnprintf per header). Installing any callback also stops osip from printing
// to stdout. Call once, before threads start parsing.
void switchd_install_trace(void);

// This thread's first trace message since the last clear ("" when none).
const char *switchd_last_trace(void);

// Empties this thread's trace buffer: call before each parse.
void switchd_clear_trace(void);

#endif
