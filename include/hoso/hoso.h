#ifndef HOSO_H
#define HOSO_H

#include "errors.h"
#include "id.h"
#include "json.h"
#include "schema.h"
#include "repo.h"
#include "access.h"
#include "record.h"
#include "import.h"
#include "gen.h"
#include "merge.h"
#include "sync.h"
#include "verify.h"
#include "unit.h"

#endif
