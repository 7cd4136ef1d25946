/* skintrack — shipped FFTW wisdom (see fft.c); written by make wisdom
 * (tests/fft_wisdom.c), FFTW_PATIENT; one line a string (C11 compilers
 * need not take strings over 4 095 bytes). */
static const char *const st_fft_wisdom[] = {
    "(fftw-3.3.10 fftwf_wisdom #x9e7d4dee #xdb14fed1 #x34bf76a4 #xeb6e8fdf\n",
    "  (fftwf_codelet_t2bv_32_avx 0 #x10048 #x10048 #x0 #xa55d50a6 #x7eea7b1a "
    "#xf2713dd2 #xe33658c9)\n",
    "  (fftwf_codelet_r2cb_2 2 #x10048 #x10048 #x0 #xaabefd86 #xa3ac8b74 "
    "#x63feafe7 #xbe2e7f1a)\n",
    "  (fftwf_codelet_r2cb_2 2 #x10048 #x10048 #x0 #xb48afe5e #xe748496a "
    "#x70b04654 #x444007ba)\n",
    "  (fftwf_rdft2_rank_geq2_register 0 #x10048 #x10048 #x0 #xc0ac98aa "
    "#x3eaab393 #x5839b81f #x55b747a0)\n",
    "  (fftwf_dft_r2hc_register 0 #x11048 #x11048 #x0 #x9e7ae1b6 #xf0017a0b "
    "#x48522939 #xf476fa94)\n",
    "  (fftwf_codelet_n1bv_32_avx 0 #x10048 #x10048 #x0 #x73e8c665 #x5a0586da "
    "#x2c875e1c #x64a49905)\n",
    "  (fftwf_dft_nop_register 0 #x11048 #x11048 #x0 #xa65740d9 #x2138e23c "
    "#xeea043e5 #x2d203c97)\n",
    "  (fftwf_codelet_t2fv_64_avx 0 #x10048 #x10048 #x0 #x3e79c1a7 #xda94d8e1 "
    "#x06c97bfc #xddbe9a07)\n",
    "  (fftwf_dft_buffered_register 1 #x11048 #x11048 #x0 #xa660e8d2 "
    "#xfe278aa1 #x81242504 #x3433c2ff)\n",
    "  (fftwf_dft_r2hc_register 0 #x11048 #x11048 #x0 #xfed6a9de #x8d35bae4 "
    "#xc466d5ce #x8e6b465e)\n",
    "  (fftwf_dft_vrank_geq1_register 1 #x10048 #x10048 #x0 #xe8935acf "
    "#x6fb5abde #x1b1a830b #x4c1e2b61)\n",
    "  (fftwf_dft_nop_register 0 #x11048 #x11048 #x0 #x7172c343 #x26697df6 "
    "#x38b8f395 #x0582efc6)\n",
    "  (fftwf_codelet_t2bv_16_avx 0 #x10048 #x10048 #x0 #x816ac548 #x3dbfa4f5 "
    "#x5d7c4e20 #x928979e0)\n",
    "  (fftwf_codelet_n1fv_8_avx 0 #x10048 #x10048 #x0 #xd1dae2a9 #x66f7da0b "
    "#x4902ad52 #x00ede2e8)\n",
    "  (fftwf_rdft_rank0_register 3 #x11048 #x11048 #x0 #x3eb772fb #x9c866547 "
    "#x1381ab44 #x094e5a2a)\n",
    "  (fftwf_rdft2_vrank_geq1_register 0 #x10048 #x10048 #x0 #x1fd89ca3 "
    "#x8830c973 #xf7adbd4c #xb0b795ab)\n",
    "  (fftwf_codelet_r2cf_8 2 #x11048 #x11048 #x0 #xff334bee #xa949e4e9 "
    "#xba62525c #x0be21e9a)\n",
    "  (fftwf_codelet_n1bv_128_sse2 0 #x10048 #x10048 #x0 #x67e5ab85 "
    "#x2a493f75 #x7206e1fc #xecb9214b)\n",
    "  (fftwf_dft_buffered_register 0 #x11048 #x11048 #x0 #x64cfb556 "
    "#xc2578490 #xf5f6eb6e #xa8972bfc)\n",
    "  (fftwf_dft_buffered_register 1 #x11048 #x11048 #x0 #xb18248ff "
    "#x30372234 #x3c1b579a #x58d8628a)\n",
    "  (fftwf_codelet_hc2cbdftv_2_sse2 0 #x10048 #x10048 #x0 #x4c30bfc4 "
    "#x64bcaf18 #x215f6d9f #x76492246)\n",
    "  (fftwf_rdft2_rank_geq2_register 0 #x11048 #x11048 #x0 #x5cd622e6 "
    "#x2c87e975 #x0112ccc2 #xb4627934)\n",
    "  (fftwf_codelet_r2cfII_2 2 #x11048 #x11048 #x0 #x1fc15447 #x5a323292 "
    "#xf4507972 #x25d26261)\n",
    "  (fftwf_codelet_n1fv_4_avx 0 #x10048 #x10048 #x0 #x4b6b6066 #x8ed6192f "
    "#xf534365e #x3ffa9882)\n",
    "  (fftwf_codelet_t1fv_64_avx 0 #x10048 #x10048 #x0 #xb5bf7f29 #xc8bc78ca "
    "#x993ae27d #x3bc6ea0b)\n",
    "  (fftwf_codelet_t2fv_8_avx 0 #x10048 #x10048 #x0 #x6a04ef6b #x8047fb4d "
    "#xa148d3b2 #x43c2e3bc)\n",
    "  (fftwf_rdft_rank0_register 2 #x11048 #x11048 #x0 #x7ec59ccf #x2b925f86 "
    "#x6bf69295 #x77a8fcce)\n",
    "  (fftwf_codelet_hc2cfdftv_8_sse2 0 #x11048 #x11048 #x0 #x7fc405ad "
    "#x4ada6d47 #xaac580d9 #x240799e4)\n",
    "  (fftwf_dft_r2hc_register 0 #x10048 #x10048 #x0 #x80902ff1 #x72938479 "
    "#xef74501c #xd6d5a572)\n",
    "  (fftwf_codelet_n1fv_64_avx 0 #x11048 #x11048 #x0 #x7c60addb #xf9ca1ddc "
    "#xd784b8b0 #x8ed673cf)\n",
    "  (fftwf_rdft_rank0_register 2 #x10048 #x10048 #x0 #xc4b8a417 #x12e49c7f "
    "#x694fb231 #x572f84ee)\n",
    "  (fftwf_dft_vrank_geq1_register 0 #x11048 #x11048 #x0 #x9a91a9ac "
    "#x50249667 #x2acf22b3 #xf7eafa32)\n",
    "  (fftwf_codelet_r2cbIII_2 2 #x10048 #x10048 #x0 #x8a3c1338 #x8a220fcd "
    "#x09a0af03 #xfe56add0)\n",
    "  (fftwf_rdft2_rank_geq2_register 0 #x10048 #x10048 #x0 #x76135c82 "
    "#xa29db0d9 #xe99c51ec #x4ca9468a)\n",
    "  (fftwf_codelet_n1bv_64_sse2 0 #x10048 #x10048 #x0 #x92a0ccc0 #x3ebf140e "
    "#x01de300a #x3b0321ff)\n",
    "  (fftwf_rdft2_rank_geq2_register 0 #x10048 #x10048 #x0 #x4e6c1382 "
    "#x36dea8bc #xa14a0d44 #xea7424d2)\n",
    "  (fftwf_dft_nop_register 0 #x10048 #x10048 #x0 #xb95b4231 #x67f2c8d3 "
    "#x3add679a #x5280c153)\n",
    "  (fftwf_codelet_n1fv_128_avx 0 #x11048 #x11048 #x0 #x74b648ff #x90712e56 "
    "#x92336db2 #x4722b954)\n",
    "  (fftwf_codelet_n1bv_8_avx 0 #x10048 #x10048 #x0 #xafbe5056 #x36b1d83a "
    "#x0f748cb8 #x3a9ada03)\n",
    "  (fftwf_codelet_n1bv_8_avx 0 #x10048 #x10048 #x0 #x601ea005 #x912e4177 "
    "#x496f1790 #x20739ad5)\n",
    "  (fftwf_codelet_n1fv_64_avx 0 #x10048 #x10048 #x0 #xffb99634 #x455cd9a5 "
    "#xd64c710f #x5d6dc44f)\n",
    "  (fftwf_rdft2_rank_geq2_register 0 #x11048 #x11048 #x0 #x924f5574 "
    "#x646566f9 #xb9dccbe9 #x3e2c4232)\n",
    "  (fftwf_codelet_r2cbIII_2 2 #x10048 #x10048 #x0 #xdfc2ef74 #xf60ef978 "
    "#xcff0705e #x370cea10)\n",
    "  (fftwf_codelet_r2cfII_8 2 #x11048 #x11048 #x0 #x9ac92620 #xecd8b6e3 "
    "#x0f543a91 #x2d802e15)\n",
    "  (fftwf_codelet_r2cb_2 2 #x10048 #x10048 #x0 #xa301ec2e #x5f8ecb42 "
    "#x07028119 #xdf592b09)\n",
    "  (fftwf_dft_vrank_geq1_register 1 #x10048 #x10048 #x0 #xe2cb804d "
    "#xdd6fc384 #x47d03e61 #x20fb4549)\n",
    "  (fftwf_codelet_n1bv_64_avx 0 #x10048 #x10048 #x0 #xe99a194f #xe276dc43 "
    "#x71d1bac8 #x96fc4d03)\n",
    "  (fftwf_dft_buffered_register 0 #x10048 #x10048 #x0 #x8c1587a6 "
    "#x2ec33ec8 #x00ae05c3 #x93a22c29)\n",
    "  (fftwf_codelet_hc2cfdftv_2_sse2 0 #x11048 #x11048 #x0 #x1ace7f47 "
    "#xfaef4bce #xec388dd5 #x67a9ddb9)\n",
    "  (fftwf_codelet_hc2cbdftv_2_sse2 0 #x10048 #x10048 #x0 #xe7917747 "
    "#x534918e8 #x1fcce172 #x1990bb41)\n",
    "  (fftwf_codelet_hc2cbdftv_2_sse2 0 #x10048 #x10048 #x0 #xcaedbf5e "
    "#x78f71888 #x23a0fda9 #x81d9e887)\n",
    "  (fftwf_codelet_r2cbIII_2 2 #x10048 #x10048 #x0 #xccac0239 #x812e6637 "
    "#x6450fbf6 #xd5c5841a)\n",
    "  (fftwf_codelet_r2cf_2 2 #x11048 #x11048 #x0 #x5c3dcc76 #x60f66812 "
    "#x9cf72651 #xfd940af3)\n",
    "  (fftwf_rdft_rank0_register 2 #x11048 #x11048 #x0 #xfb0a5003 #x6265f9ef "
    "#x37851ec1 #x81469951)\n",
    "  (fftwf_dft_vrank_geq1_register 0 #x10048 #x10048 #x0 #x6a925f92 "
    "#xfd0c7a87 #x54a5c261 #x79a54f1e)\n",
    "  (fftwf_dft_r2hc_register 0 #x11048 #x11048 #x0 #x57c51eac #x3a509958 "
    "#xbc055abe #x117d3366)\n",
    ")\n",
    NULL,
};
