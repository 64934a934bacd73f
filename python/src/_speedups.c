/* SPDX-License-Identifier: MIT */
/*
 * _speedups.c - the one loop of the apfsinspect module that a C extension
 * makes faster: a directory's names, without a Python object per entry
 * until the names themselves (FileSystem.walk).  Optional: setup.py builds
 * it when a compiler, Python's headers and apfsinspect.h are there, and the
 * module falls back to ctypes without it (same results; tests run both).
 * It calls the library through the function pointer ctypes already
 * resolved, so it links against nothing and loads no second copy.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

#include <apfsinspect.h>

typedef int (*dir_next_fn)(apfsi_dir *dir, const struct apfsi_dirent **out);

/* Append e's name to dirs (with its inode) or files; -1 on a Python error. */
static int add(PyObject *dirs, PyObject *files, const struct apfsi_dirent *e)
{
	PyObject *name = PyUnicode_DecodeUTF8(e->name, (Py_ssize_t)strlen(e->name),
					      "surrogateescape");
	PyObject *item = name;
	int ret;

	if (!name)
		return -1;
	if (e->type == APFSI_TYPE_DIR) {
		item = Py_BuildValue("(NK)", name, (unsigned long long)e->ino);
		if (!item)
			return -1;
	}
	ret = PyList_Append(e->type == APFSI_TYPE_DIR ? dirs : files, item);
	Py_DECREF(item);
	return ret;
}

/* names(dir_next address, dir handle) -> (error code, [(name, ino)] of directories, [names]) */
static PyObject *names(PyObject *self, PyObject *args)
{
	unsigned long long fn_addr, handle;
	const struct apfsi_dirent *e;
	PyObject *dirs, *files;
	dir_next_fn next;
	int err = 0;

	(void)self;
	if (!PyArg_ParseTuple(args, "KK", &fn_addr, &handle))
		return NULL;
	next = (dir_next_fn)(uintptr_t)fn_addr;
	dirs = PyList_New(0);
	files = PyList_New(0);
	while (dirs && files && !(err = next((apfsi_dir *)(uintptr_t)handle, &e)) && e)
		if (add(dirs, files, e)) {
			Py_CLEAR(dirs);
			break;
		}
	if (!dirs || !files) {
		Py_XDECREF(dirs);
		Py_XDECREF(files);
		return NULL;
	}
	return Py_BuildValue("(iNN)", err, dirs, files);
}

static PyMethodDef methods[] = {
	{ "names", names, METH_VARARGS, "A directory's names: (error, [(name, ino)], [name])." },
	{ NULL, NULL, 0, NULL },
};

static struct PyModuleDef module = { PyModuleDef_HEAD_INIT, "apfsinspect._speedups", NULL, -1,
				     methods, NULL, NULL, NULL, NULL };

PyMODINIT_FUNC PyInit__speedups(void)
{
	return PyModule_Create(&module);
}
