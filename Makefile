# apfsinspect - non-recursive Makefile.
#   make            build/apfsinspect, build/mkimage, the unit tests
#   make test       the whole suite (tests/run.sh)
#   make asan       the suite built with AddressSanitizer + UBSan into build-asan/
#   make fuzz       every fuzz target under libFuzzer, FUZZ_SECONDS=N each (clang)
#   make bench      benchmarks against the peers (bench/run.sh)
#   make mutate     mutation testing (tests/mutate/; MUTATE_SAMPLE=N for a sample)
#   make install    PREFIX=/usr/local DESTDIR= (program, man pages, bash and zsh completion,
#                   libapfsinspect: header, .so, .a, pkg-config file)
# V=1 shows the commands; WERROR=1 turns warnings into errors (CI sets it).

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
B ?= build
CC ?= cc
PKG_CONFIG ?= pkg-config

PKGS := libcrypto zlib libutf8proc
# Headers only: loaded when needed, libarchive by cli/archive_dl.c (extract --tar),
# the libyal libraries by image/libyal_dl.c (an image of their format), libfuse3
# by fuse/fuse_dl.c (mount), libplist by util/plist_dl.c (a property list).
DL_PKGS := libarchive libewf libvmdk libvhdi libqcow fuse3 libplist-2.0
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) $(DL_PKGS) 2>/dev/null)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lbz2 -lpthread
# What libapfsinspect links (the libraries above are loaded when needed); its .pc file says so.
SO_PKGS := $(filter-out fuse3,$(PKGS))
SO_LIBS := $(shell $(PKG_CONFIG) --libs $(SO_PKGS) 2>/dev/null) -lbz2 -lpthread
# mkimage and the unit tests build property lists themselves.
PLIST_LIBS := $(shell $(PKG_CONFIG) --libs libplist-2.0 2>/dev/null)

CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Wshadow -Wcast-qual -Wstrict-prototypes -Wmissing-prototypes \
	-Wpointer-arith -Wundef -Wvla -Wformat=2 -Wno-format-nonliteral
ifeq ($(WERROR),1)
WARN += -Werror
endif
# The release number (here only) and the commit it was built from (--version, --log).
VERSION := 0.9.0
COMMIT := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -DFUSE_USE_VERSION=35 -I. -Iinclude $(WARN) $(PKG_CFLAGS) $(CFLAGS) -MMD -MP
# Every symbol bound at load (-z now), none lazily: the dynamic linker's lazy-binding
# trampoline saves the vector registers on the stack (xsavec), and the first call of a
# function after a key passed through them (a memcpy of the VEK) left a copy there
# (tests/cli/secrets.sh found it, 2026-12-07).  -z relro makes the bound table read-only.
ALL_LDFLAGS := -Wl,-z,relro,-z,now $(LDFLAGS)

# Only cli/version.c names them; it is rebuilt when the commit (or the number) changes.
VERSION_DEFS := -DAPFSINSPECT_VERSION='"$(VERSION)"' -DAPFSINSPECT_COMMIT='"$(COMMIT)"'
$(shell mkdir -p $(B) && echo '$(VERSION) $(COMMIT)' | cmp -s - $(B)/.version || \
	echo '$(VERSION) $(COMMIT)' > $(B)/.version)

ifeq ($(V),1)
Q :=
else
Q := @
endif

LIB_SRCS := $(sort $(wildcard util/*.c codec/*.c cipher/*.c image/*.c apfs/*.c keybag/*.c lib/*.c))
CLI_SRCS := $(sort $(wildcard cli/*.c fuse/*.c))
MK_SRCS := $(sort $(wildcard testdata/*.c))
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
# Fuzz targets (tests/fuzz/fz_NAME.c -> $(B)/fuzz/NAME) and what they share.
FUZZ_TARGETS := $(sort $(patsubst tests/fuzz/fz_%.c,%,$(wildcard tests/fuzz/fz_*.c)))
FUZZ_COMMON := tests/fuzz/fuzz_image.c tests/fuzz/fuzz_open.c tests/fuzz/fuzz_walk.c \
	tests/fuzz/fuzz_file.c

LIB_OBJS := $(LIB_SRCS:%.c=$(B)/%.o)
CLI_OBJS := $(CLI_SRCS:%.c=$(B)/%.o)
MK_OBJS := $(MK_SRCS:%.c=$(B)/%.o)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)
LIB := $(B)/libapfsinspect.a
# The shared library: the same sources built again position-independent.
SONAME := libapfsinspect.so.1
SO := $(B)/$(SONAME)
PIC_OBJS := $(LIB_SRCS:%.c=$(B)/pic/%.o)
FUZZ_BINS := $(FUZZ_TARGETS:%=$(B)/fuzz/%)
FUZZ_COMMON_OBJS := $(FUZZ_COMMON:%.c=$(B)/%.o)

# A fuzz target's main(): by default tests/fuzz/driver.c, which replays
# files (the normal suite runs the seeds and regression inputs through it);
# LIBFUZZER=1 (make fuzz) links libFuzzer's instead.
ifeq ($(LIBFUZZER),1)
FUZZ_MAIN :=
FUZZ_LINK := -fsanitize=fuzzer
else
FUZZ_MAIN := $(B)/tests/fuzz/driver.o
FUZZ_LINK :=
endif

all: $(B)/apfsinspect $(B)/mkimage $(UNIT_BINS) $(FUZZ_BINS) $(B)/fuzz/mkseed $(SO) \
	$(B)/apfsinspect.pc

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo '  CC      $<')
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/cli/version.o: cli/version.c $(B)/.version
	@mkdir -p $(dir $@)
	@$(if $(Q),echo '  CC      $<')
	$(Q)$(CC) $(ALL_CFLAGS) $(VERSION_DEFS) -c -o $@ $<

$(B)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo '  CC      $< (PIC)')
	$(Q)$(CC) $(ALL_CFLAGS) -fPIC -c -o $@ $<

$(B)/lib/version.o $(B)/pic/lib/version.o: $(B)/.version
$(B)/lib/version.o: ALL_CFLAGS += $(VERSION_DEFS)
$(B)/pic/lib/version.o: ALL_CFLAGS += $(VERSION_DEFS)

# Only the functions of include/apfsinspect.h are exported (lib/apfsinspect.map).  Every
# symbol resolved at link time, except in a sanitizer build: clang leaves its runtime to
# the program.
SO_DEFS := $(if $(findstring -fsanitize,$(CFLAGS)),,-Wl,--no-undefined)

# fuse/ and cli/ are clients of the public API only (issue 15): fuse's include path is
# include/ (apfsinspect.h), cli/ (whose clibase.h and session.h it uses) and
# util/ alone (the shared helpers below everything: the library loader),
# without the tree's root, so an include of apfs/, keybag/, image/ or lib/
# there - or of a cli/ header that pulls one in - fails to compile.
$(B)/api-path/util:
	$(Q)mkdir -p $(B)/api-path && ln -sfn $(CURDIR)/util $@
$(B)/fuse/%.o: ALL_CFLAGS := $(filter-out -I.,$(ALL_CFLAGS)) -I$(B)/api-path -Icli
# cli/ too: every command is a client of apfsinspect.h (and util/) only.
$(B)/cli/%.o: ALL_CFLAGS := $(filter-out -I.,$(ALL_CFLAGS)) -I$(B)/api-path
$(patsubst %.c,$(B)/%.o,$(wildcard fuse/*.c cli/*.c)): | $(B)/api-path/util
$(SO): $(PIC_OBJS) lib/apfsinspect.map
	@$(if $(Q),echo '  LD      $@')
	$(Q)$(CC) $(CFLAGS) $(ALL_LDFLAGS) -shared -Wl,-soname,$(SONAME) \
		-Wl,--version-script=lib/apfsinspect.map $(SO_DEFS) -o $@ $(PIC_OBJS) $(SO_LIBS)
	$(Q)ln -sf $(SONAME) $(B)/libapfsinspect.so

$(B)/apfsinspect.pc: lib/apfsinspect.pc.in Makefile
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|g' \
		-e 's|@LIBDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(LIBDIR))|g' \
		-e 's|@INCLUDEDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))|g' \
		-e 's|@VERSION@|$(VERSION)|g' \
		-e 's|@REQUIRES_PRIVATE@|$(SO_PKGS)|g' $< > $@

$(LIB): $(LIB_OBJS)
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $^

$(B)/apfsinspect: $(CLI_OBJS) $(LIB)
	@$(if $(Q),echo '  LD      $@')
	$(Q)$(CC) $(CFLAGS) $(ALL_LDFLAGS) -o $@ $(CLI_OBJS) $(LIB) $(PKG_LIBS)

$(B)/mkimage: $(MK_OBJS) $(LIB)
	@$(if $(Q),echo '  LD      $@')
	$(Q)$(CC) $(CFLAGS) $(ALL_LDFLAGS) -o $@ $(MK_OBJS) $(LIB) $(PKG_LIBS) $(PLIST_LIBS)

$(B)/tests/%: $(B)/tests/unit/%.o $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo '  LD      $@')
	$(Q)$(CC) $(CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(PKG_LIBS) $(PLIST_LIBS) -lcmocka

$(B)/fuzz/mkseed: $(B)/tests/fuzz/mkseed.o $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo '  LD      $@')
	$(Q)$(CC) $(CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(PKG_LIBS)

$(B)/fuzz/%: $(B)/tests/fuzz/fz_%.o $(FUZZ_COMMON_OBJS) $(FUZZ_MAIN) $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo '  LD      $@')
	$(Q)$(CC) $(CFLAGS) $(ALL_LDFLAGS) $(FUZZ_LINK) -o $@ $(filter %.o,$^) $(LIB) $(PKG_LIBS)

# The cli/ files that are clients of include/apfsinspect.h only: they must
# compile with nothing of apfs/, keybag/, image/, lib/ on the include path
# (tests/cli/api_clients.sh runs this, and shows it would catch one that is not).
API_CLIENTS := $(sort $(wildcard cli/*.c))
# A client sees include/ and the shared helpers below everything (util/: the
# library loader, secure memory, byte order), through a directory holding
# util/ alone: apfs/, keybag/, image/, codec/, cipher/ and lib/ are out of its path.
API_ONLY_CFLAGS := -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -Iinclude -I$(B)/api-path $(VERSION_DEFS) \
	$(WARN) $(PKG_CFLAGS) -fsyntax-only
check-api-clients:
	$(Q)mkdir -p $(B)/api-path && ln -sfn $(CURDIR)/util $(B)/api-path/util
	$(Q)for f in $(or $(FILES),$(API_CLIENTS)); do \
		$(CC) $(API_ONLY_CFLAGS) $$f || { echo "$$f: not a client of apfsinspect.h only" >&2; exit 1; }; \
	done

test: all
	B=$(B) tests/run.sh

asan:
	$(MAKE) B=build-asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" all
	B=build-asan ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 tests/run.sh

# Long fuzzing: every target under libFuzzer (clang, ASan + UBSan) for
# FUZZ_SECONDS each, FUZZ_JOBS at a time (default: one per core); new crashes and slow inputs are copied
# into tests/fuzz/regress/TARGET/ (commit them).  See tests/fuzz/README.md.
FUZZ_SECONDS ?= 60
FB ?= build-fuzz
FUZZ_CFLAGS := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all -DCACHE_BUDGET='(256u << 10)' -DENCR_ITER_MAX=2000u
fuzz: $(B)/mkimage $(B)/fuzz/mkseed
	$(MAKE) B=$(FB) CC=clang LIBFUZZER=1 CFLAGS="$(FUZZ_CFLAGS)" $(FUZZ_TARGETS:%=$(FB)/fuzz/%)
	B=$(B) FB=$(FB) FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run-fuzzers $(FUZZ_ONLY)

# Mutation testing: every mutant of tests/mutate/mutants.txt (or MUTATE_SAMPLE=N
# of them, MUTATE_FILTER=apfs/ for one area), each rebuilt in a scratch copy
# of the tree and run against the tests the list names; prints the kill rate.
mutate:
	MUTATE_SAMPLE=$(MUTATE_SAMPLE) tests/mutate/run.sh $(MUTATE_FILTER)

# What the mutation runner rebuilds for each mutant (no fuzz targets).
testbins: $(B)/apfsinspect $(B)/mkimage $(UNIT_BINS)

# A bare PBKDF2 process: libcrypto only, the floor an unlock is measured against.
$(B)/bench/pbkdf2: bench/pbkdf2.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< -lcrypto

$(B)/bench/pbkdf2_lanes: bench/pbkdf2_lanes.c $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(PKG_LIBS)

$(B)/bench/xts_speed: bench/xts_speed.c $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(PKG_LIBS)

$(B)/bench/readdir_pages: bench/readdir_pages.c $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -Iinclude -o $@ $< $(LIB) $(PKG_LIBS)

$(B)/bench/ewf_floor: bench/ewf_floor.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< -lewf

$(B)/bench/ewf_trace.so: bench/ewf_trace.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -fPIC -shared -o $@ $< -ldl

bench: all $(B)/bench/pbkdf2 $(B)/bench/pbkdf2_lanes $(B)/bench/xts_speed $(B)/bench/ewf_floor $(B)/bench/ewf_trace.so \
       $(B)/bench/readdir_pages
	B=$(B) bench/run.sh

install: $(B)/apfsinspect $(SO) $(LIB) $(B)/apfsinspect.pc
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(LIBDIR) \
		$(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(MANDIR)/man3
	install -m 0644 include/apfsinspect.h $(DESTDIR)$(INCLUDEDIR)/apfsinspect.h
	install -m 0644 doc/libapfsinspect.3 $(DESTDIR)$(MANDIR)/man3/libapfsinspect.3
	install -m 0755 $(SO) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libapfsinspect.so
	install -m 0644 $(LIB) $(DESTDIR)$(LIBDIR)/libapfsinspect.a
	install -m 0644 $(B)/apfsinspect.pc $(DESTDIR)$(PKGCONFIGDIR)/apfsinspect.pc
	install -m 0755 $(B)/apfsinspect $(DESTDIR)$(BINDIR)/apfsinspect
	install -m 0644 doc/apfsinspect.1 $(DESTDIR)$(MANDIR)/man1/apfsinspect.1
	install -m 0644 completion/apfsinspect.bash $(DESTDIR)$(BASHCOMPDIR)/apfsinspect
	install -m 0644 completion/_apfsinspect $(DESTDIR)$(ZSHCOMPDIR)/_apfsinspect

clean:
	rm -rf build build-asan build-clang build-fuzz

.PHONY: all test asan fuzz bench install clean mutate testbins check-api-clients
.SECONDARY:

-include $(shell find $(B) -name '*.d' 2>/dev/null)
