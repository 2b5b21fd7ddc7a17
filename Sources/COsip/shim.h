#ifndef SWITCHD_COSIP_SHIM_H
#define SWITCHD_COSIP_SHIM_H
#include <osipparser2/osip_parser.h>
#endif
