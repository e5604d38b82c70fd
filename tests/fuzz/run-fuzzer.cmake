# cmake -DMODE=fuzz|regress -DFUZZER=bin -DSRC=tests/fuzz/<target>
#     -DWORK=<build>/tests/fuzz/<target> [-DSECONDS=15] -P run-fuzzer.cmake
#
# fuzz:    copy SRC/corpus/ into WORK/corpus/ (the source tree is never
#          written to; what the fuzzer finds stays in the build directory)
#          and fuzz for SECONDS.  Crashers land in WORK/crashes/.
# regress: run FUZZER on every file in SRC/regress/ but README and .keep.
foreach(v MODE FUZZER SRC WORK)
	if(NOT DEFINED ${v})
		message(FATAL_ERROR "run-fuzzer.cmake: ${v} is not set")
	endif()
endforeach()

if(MODE STREQUAL "fuzz")
	if(NOT DEFINED SECONDS)
		set(SECONDS 15)
	endif()
	file(MAKE_DIRECTORY ${WORK}/corpus ${WORK}/crashes)
	file(GLOB seeds ${SRC}/corpus/*)
	if(seeds)
		file(COPY ${seeds} DESTINATION ${WORK}/corpus)
	endif()
	execute_process(
	    COMMAND ${FUZZER} -max_total_time=${SECONDS} -timeout=10
	        -rss_limit_mb=2048 -print_final_stats=1
	        -artifact_prefix=${WORK}/crashes/ ${WORK}/corpus
	    WORKING_DIRECTORY ${WORK}
	    RESULT_VARIABLE rc)
	if(NOT rc EQUAL 0)
		message(FATAL_ERROR "${FUZZER} failed (${rc}); the input is in "
		    "${WORK}/crashes/: copy it to ${SRC}/regress/")
	endif()
elseif(MODE STREQUAL "regress")
	file(GLOB inputs LIST_DIRECTORIES false ${SRC}/regress/*)
	list(FILTER inputs EXCLUDE REGEX "/(README[^/]*|\\.keep)$")
	if(NOT inputs)
		message(STATUS "${SRC}/regress/: nothing to replay")
		return()
	endif()
	list(LENGTH inputs n)
	message(STATUS "replaying ${n} file(s) from ${SRC}/regress/")
	file(MAKE_DIRECTORY ${WORK})
	execute_process(COMMAND ${FUZZER} ${inputs}
	    WORKING_DIRECTORY ${WORK}
	    RESULT_VARIABLE rc)
	if(NOT rc EQUAL 0)
		message(FATAL_ERROR "${FUZZER} failed (${rc}) on a regress input")
	endif()
else()
	message(FATAL_ERROR "run-fuzzer.cmake: MODE must be fuzz or regress")
endif()
